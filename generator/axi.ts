/**
 * af_axi: af_array wrapped for Zynq/PYNQ-style systems (`generate --wrapper axi`).
 *   - AXI4-Lite control registers in the Vitis HLS convention (ap_ctrl_hs at 0x00, GIE, IER,
 *     ISR, then the design's registers), written once as data (axiRegisters): the RTL's read
 *     mux, the README table and the testbench's register addresses all come from that list;
 *   - per PE, the job, A and B streams as AXI4-Stream slaves (TDATA rounded up to bytes),
 *     bundled into vectors as af_array bundles its streams: PE p's stream is bit p of TVALID
 *     and TREADY and bytes [p*W/8 +: W/8] of TDATA. Per-PE streams, not one stream with TDEST:
 *     a broadcast job must be offered to a whole group at once, so one shared stream deadlocks;
 *   - the drained rows as one AXI4-Stream master, a beat a row: TDEST = the PE port, TDATA =
 *     {banks values, row header {row, reduced}}. af_array's drain has no backpressure, so each
 *     PE port writes into its own FIFO of one drain burst (bankDepth rows); a row that finds its
 *     FIFO full is dropped and counted (LOST, STATUS.overflow): never silently.
 * A run (ap_start) resets the array for one cycle, then lets JOBS job words through; it is done
 * when the array has taken them all and gone idle and every drained row has left the stream.
 */
import { type HwConfig, derive, clog2 } from './config.ts';
import { header, footer, type VModule } from './verilog.ts';
import { COUNTER_NAMES } from './counters.ts';
import { type Signature, input, output, comment, declarePorts, instance, bits, port } from './ports.ts';
import { arrayPorts } from './array.ts';

const ceil8 = (w: number) => Math.ceil(w / 8) * 8;

/** Widths of the wrapper's streams and beats, shared by the RTL and the testbench. */
export function axiShape(cfg: HwConfig, fifoDepth?: number) {
  const sig = arrayPorts(cfg), N = cfg.pes;
  const per = (name: string) => bits(port(sig, name)) / N;
  const jw = per('job_data'), aw = per('a_data'), bw = per('b_data'), rw = derive(cfg).rowWidth;
  const dataBits = cfg.banks * cfg.accWidth;
  const hdr = ceil8(1 + rw); // {row, reduced}, a whole number of bytes
  return {
    jw, aw, bw, rw, hdr, dataBits,
    jb: ceil8(jw), ab: ceil8(aw), bb: ceil8(bw),
    /** Output beat: header in the low bytes, then the banks' values (bank 0 lowest). */
    ob: hdr + ceil8(dataBits),
    dw: Math.max(1, clog2(N)),
    /** Per-port FIFO: one drain burst (a drain is at most bankDepth rows), a power of two >= 2. */
    depth: 2 ** Math.max(1, clog2(fifoDepth ?? cfg.bankDepth)),
  };
}

/** One AXI4-Lite register: byte offset, access, what it holds, and (RO/RW) its read value. */
export interface AxiReg {
  name: string; offset: number;
  access: 'RW' | 'RO' | 'ctrl' | 'TOW';
  /** Bits the register holds (RW) or its read value has (the rest read 0). */
  width: number;
  doc: string;
  /** Verilog read value of `width` bits (RW registers read their own flip-flops, r_<name>). */
  read?: string;
}

/** The register map, written once. */
export function axiRegisters(cfg: HwConfig): AxiReg[] {
  const ctw = cfg.counterWidth;
  return [
    { name: 'CTRL', offset: 0x00, access: 'ctrl', width: 4, read: '{ap_ready, ap_idle, ap_done, ap_start}',
      doc: 'bit 0 ap_start: write 1 to start a run (when idle); reads 1 until the run is taken (the next cycle). bit 1 ap_done: set when the run is done, cleared by reading CTRL. bit 2 ap_idle: no run active. bit 3 ap_ready: a start would be taken (= ap_idle)' },
    { name: 'GIE', offset: 0x04, access: 'RW', width: 1, doc: 'bit 0: global interrupt enable' },
    { name: 'IER', offset: 0x08, access: 'RW', width: 1, doc: 'bit 0: interrupt on ap_done' },
    { name: 'ISR', offset: 0x0c, access: 'TOW', width: 1, read: 'isr',
      doc: 'bit 0: ap_done happened while IER bit 0 was set; writing 1 toggles it (write 1 to clear). `interrupt` = GIE & IER & ISR' },
    { name: 'JOBS', offset: 0x10, access: 'RW', width: 32, doc: 'job words the run takes, over all PEs\' job streams (the run is done once the array has taken them all and gone idle)' },
    { name: 'STATUS', offset: 0x14, access: 'RO', width: 2, read: '{running, lost != 32\'d0}',
      doc: 'bit 0 overflow: a drained row was dropped this run (its port\'s FIFO was full: the out stream was not ready often enough); bit 1: a run is active' },
    { name: 'CYCLES', offset: 0x18, access: 'RO', width: 32, read: 'cycles', doc: 'cycles of the last run, from its start to ap_done (includes emptying the out stream)' },
    { name: 'ARRAY_CYCLES', offset: 0x1c, access: 'RO', width: 32, read: 'array_cycles',
      doc: 'cycles of the last run until the array had taken every job and gone idle: the bare array\'s (and the golden model\'s) cycle count when the input streams keep up' },
    { name: 'ROWS', offset: 0x20, access: 'RO', width: 32, read: 'rows', doc: 'drained rows sent on the out stream this run' },
    { name: 'LOST', offset: 0x24, access: 'RO', width: 32, read: 'lost', doc: 'drained rows dropped this run (FIFO full)' },
    { name: 'CSEL', offset: 0x28, access: 'RW', width: 16,
      doc: `counter select: bits 15:8 the PE, bits 7:0 the counter (${COUNTER_NAMES.map((n, i) => `${i} ${n}`).join(', ')})` },
    { name: 'CDATA', offset: 0x2c, access: 'RO', width: Math.min(32, ctw), read: `ctr_sel[${Math.min(32, ctw) - 1}:0]`,
      doc: `the selected counter, bits 31:0 (counters are ${ctw} bits; \`cycles\` is held at the value it had when the array finished)` },
    { name: 'CDATA_HI', offset: 0x30, access: 'RO', width: Math.max(1, ctw - 32), read: ctw > 32 ? `ctr_sel[${ctw - 1}:32]` : "1'b0",
      doc: 'the selected counter, bits 63:32 (0 for counters of 32 bits or fewer)' },
  ];
}

/** The register map as a Markdown table (the README's). */
export function registerTable(cfg: HwConfig): string {
  const hex = (n: number) => `0x${n.toString(16).toUpperCase().padStart(2, '0')}`;
  const acc = { RW: 'R/W', RO: 'R', ctrl: 'R/W (see bits)', TOW: 'R, toggle on write' } as const;
  return ['| offset | name | access | meaning |', '|---|---|---|---|',
    ...axiRegisters(cfg).map((r) => `| ${hex(r.offset)} | ${r.name} | ${acc[r.access]} | ${r.doc} |`)].join('\n');
}

/** AXI4-Lite address bits: enough for the last register. */
export const axiAddrWidth = (cfg: HwConfig) => Math.max(4, clog2(Math.max(...axiRegisters(cfg).map((r) => r.offset)) + 4));

export function axiPorts(cfg: HwConfig, fifoDepth?: number): Signature {
  const s = axiShape(cfg, fifoDepth), N = cfg.pes, AW = axiAddrWidth(cfg);
  const lite = (p: string) => `s_axi_control_${p}`;
  const stream = (k: string, w: number) => [input(`s_axis_${k}_TVALID`, N), output(`s_axis_${k}_TREADY`, N), input(`s_axis_${k}_TDATA`, N * w)];
  return [
    input('ap_clk'), input('ap_rst_n'),
    comment('AXI4-Lite control (Vitis HLS s_axilite register convention).'),
    input(lite('AWADDR'), AW), input(lite('AWVALID')), output(lite('AWREADY')),
    input(lite('WDATA'), 32), input(lite('WSTRB'), 4), input(lite('WVALID')), output(lite('WREADY')),
    output(lite('BRESP'), 2), output(lite('BVALID')), input(lite('BREADY')),
    input(lite('ARADDR'), AW), input(lite('ARVALID')), output(lite('ARREADY')),
    output(lite('RDATA'), 32), output(lite('RRESP'), 2), output(lite('RVALID')), input(lite('RREADY')),
    output('interrupt'),
    comment(`AXI4-Stream slaves, one per PE and kind; PE p: TVALID[p], TDATA[p*W +: W] (W = ${s.jb} job, ${s.ab} A, ${s.bb} B bits).`),
    ...stream('job', s.jb), ...stream('a', s.ab), ...stream('b', s.bb),
    comment(`AXI4-Stream master of drained rows: TDEST = PE port, TDATA = {values, row header {row, reduced} in ${s.hdr} bits}.`),
    output('m_axis_out_TVALID'), input('m_axis_out_TREADY'), output('m_axis_out_TDATA', s.ob), output('m_axis_out_TDEST', s.dw),
  ];
}

/** Verilog of the plain R/W registers' byte-lane writes (honouring WSTRB). */
function rwWrites(r: AxiReg): string {
  const lanes = Array.from({ length: Math.ceil(r.width / 8) }, (_, i) => {
    const lo = 8 * i, w = Math.min(8, r.width - lo);
    const sl = (s: string) => (r.width === 1 ? s === 'r' ? `r_${r.name.toLowerCase()}` : `${s}[0]` : `${s === 'r' ? `r_${r.name.toLowerCase()}` : s}[${lo + w - 1}:${lo}]`);
    return `if (s_axi_control_WSTRB[${i}]) ${sl('r')} <= ${sl('s_axi_control_WDATA')};`;
  });
  return `          if (wr_take && wr_word == ${wordIdx(r)}) begin ${lanes.join(' ')} end`;
}

const wordIdx = (r: AxiReg) => `WORD_${r.name}`;

export function genAxi(cfg: HwConfig, fifoDepth?: number): VModule {
  const s = axiShape(cfg, fifoDepth), N = cfg.pes, B = cfg.banks, acw = cfg.accWidth, ctw = cfg.counterWidth;
  const AW = axiAddrWidth(cfg), regs = axiRegisters(cfg), NC = COUNTER_NAMES.length;
  const FA = clog2(s.depth), RB = 1 + s.rw + s.dataBits; // FIFO entry: {data, row, reduced}
  const rwRegs = regs.filter((r) => r.access === 'RW');
  const lc = (r: AxiReg) => `r_${r.name.toLowerCase()}`;
  const readOf = (r: AxiReg) => r.read ?? lc(r);
  const z32 = (e: string, w: number) => (w === 32 ? e : `{${32 - w}'d0, ${e}}`);
  // TDATA padding bits (to whole bytes) are not used: collected into the unused_ok wire.
  const pads = ([['job', s.jw, s.jb], ['a', s.aw, s.ab], ['b', s.bw, s.bb]] as const).filter(([, w, wb]) => wb > w)
    .flatMap(([k, w, wb]) => Array.from({ length: N }, (_, p) => `s_axis_${k}_TDATA[${p * wb + wb - 1}:${p * wb + w}]`));
  const outPad = s.ob - s.hdr - s.dataBits, hdrPad = s.hdr - 1 - s.rw;
  const tdata = [outPad ? `${outPad}'d0` : '', 'out_q[RB-1:RW+1]', hdrPad ? `${hdrPad}'d0` : '', 'out_q[RW:0]'].filter(Boolean).join(', ');
  const sig = arrayPorts(cfg);
  const mon = ['mon_issue', 'mon_issue_a', 'mon_issue_b', 'mon_acc_we', 'mon_acc_row', 'mon_acc_sum'];
  const text = header('af_axi', `af_array with AXI4-Lite control and AXI4-Stream operands and results`, cfg, {
    PES: N, BANKS: B, ACCW: acw, CTRW: ctw, FIFO_DEPTH: s.depth, ADDRW: AW,
  }) + `// 'interrupt' is the Vitis HLS name Vivado's block design recognizes; Verilator only notes
// that C++ knows the word (it renames the C++ member).
/* verilator lint_off SYMRSVDWORD */
module af_axi (
${declarePorts(axiPorts(cfg, fifoDepth))}
);
  /* verilator lint_on SYMRSVDWORD */
  localparam integer N = ${N}, RW = ${s.rw}, RB = ${RB}, FA = ${FA}, CTRW = ${ctw};
${regs.map((r) => `  localparam [${AW - 3}:0] ${wordIdx(r)} = ${AW - 2}'d${r.offset / 4};`).join('\n')}

  // ---- Run control. A start resets the array for one cycle (fresh counters and
  // accumulators, as after power-up), then 'go' lets the job streams through until the array
  // has taken JOBS words and gone idle ('array_done'); the run is done when the drained rows
  // have all left the out stream.
  reg ap_start, running, array_done, ap_done, isr;
  reg [31:0] taken, cycles, array_cycles, rows, lost;
  wire ap_idle = !running && !ap_start;
  wire ap_ready = ap_idle;
  wire go = running && !array_done;
  wire arr_rst = !ap_rst_n || ap_start;
  wire arr_idle;
  wire [N-1:0] arr_job_ready, arr_a_ready, arr_b_ready;
  wire [N-1:0] arr_out_valid, arr_out_reduced;
  wire [N*RW-1:0] arr_out_row;
  wire [N*${s.dataBits}-1:0] arr_out_data;
${COUNTER_NAMES.map((c) => `  wire [N*CTRW-1:0] perf_${c};`).join('\n')}
${mon.map((m) => `  wire [${bits(port(sig, m)) - 1}:0] unused_${m};`).join('\n')}
  assign s_axis_job_TREADY = arr_job_ready & {N{go}};
  assign s_axis_a_TREADY = arr_a_ready & {N{go}};
  assign s_axis_b_TREADY = arr_b_ready & {N{go}};
  wire [N-1:0] job_fire = s_axis_job_TVALID & s_axis_job_TREADY;

  // Operand words: the low bits of each PE's TDATA.
  wire [N*${s.jw}-1:0] job_data;
  wire [N*${s.aw}-1:0] a_data;
  wire [N*${s.bw}-1:0] b_data;
  genvar p;
  generate
    for (p = 0; p < N; p = p + 1) begin : g_in
      assign job_data[p*${s.jw} +: ${s.jw}] = s_axis_job_TDATA[p*${s.jb} +: ${s.jw}];
      assign a_data[p*${s.aw} +: ${s.aw}] = s_axis_a_TDATA[p*${s.ab} +: ${s.aw}];
      assign b_data[p*${s.bw} +: ${s.bw}] = s_axis_b_TDATA[p*${s.bb} +: ${s.bw}];
    end
  endgenerate

${instance('af_array', 'u_array', sig, {
    clk: 'ap_clk', rst: 'arr_rst',
    job_valid: 's_axis_job_TVALID & {N{go}}', job_ready: 'arr_job_ready', job_data: 'job_data',
    a_valid: 's_axis_a_TVALID & {N{go}}', a_ready: 'arr_a_ready', a_data: 'a_data',
    b_valid: 's_axis_b_TVALID & {N{go}}', b_ready: 'arr_b_ready', b_data: 'b_data',
    out_valid: 'arr_out_valid', out_reduced: 'arr_out_reduced', out_row: 'arr_out_row', out_data: 'arr_out_data',
    idle: 'arr_idle',
    ...Object.fromEntries(COUNTER_NAMES.map((c) => [`perf_${c}`, `perf_${c}`])),
    ...Object.fromEntries(mon.map((m) => [m, `unused_${m}`])),
  })}

  // ---- Drained rows: a FIFO per PE port (the drain cannot wait), then one stream.
  wire [N-1:0] fifo_nonempty, fifo_lost;
  wire [N*RB-1:0] fifo_head;
  reg  [N-1:0] pop;
  generate
    for (p = 0; p < N; p = p + 1) begin : g_fifo
      reg [RB-1:0] mem [0:${s.depth - 1}];
      reg [FA:0] wr, rd; // one extra bit tells full from empty
      wire full = (wr ^ rd) == {1'b1, {FA{1'b0}}};
      wire push = arr_out_valid[p] && (!full || pop[p]);
      assign fifo_nonempty[p] = wr != rd;
      assign fifo_lost[p] = arr_out_valid[p] && full && !pop[p];
      assign fifo_head[p*RB +: RB] = mem[rd[FA-1:0]];
      always @(posedge ap_clk) begin
        if (arr_rst) begin
          wr <= {(FA+1){1'b0}};
          rd <= {(FA+1){1'b0}};
        end else begin
          if (push) begin
            mem[wr[FA-1:0]] <= {arr_out_data[p*${s.dataBits} +: ${s.dataBits}], arr_out_row[p*RW +: RW], arr_out_reduced[p]};
            wr <= wr + 1'b1;
          end
          if (pop[p]) rd <= rd + 1'b1;
        end
      end
    end
  endgenerate

  // Round robin over the non-empty FIFOs, into an output register: TDATA and TDEST hold still
  // while TVALID waits for TREADY, as AXI4-Stream requires.
  reg out_v;
  reg [RB-1:0] out_q;
  reg [${s.dw - 1}:0] out_pe, last, pick;
  reg pick_ok;
  integer k;
  // q only indexes the N FIFOs; its upper bits are zero by construction.
  /* verilator lint_off UNUSEDSIGNAL */
  integer q;
  /* verilator lint_on UNUSEDSIGNAL */
  wire out_free = !out_v || m_axis_out_TREADY;
  always @* begin
    pick = last;
    pick_ok = 1'b0;
    pop = {N{1'b0}};
    // Downwards, so the nearest PE after 'last' is chosen last and wins.
    for (k = N; k >= 1; k = k - 1) begin
      q = ({${32 - s.dw}'d0, last} + k) % N;
      if (fifo_nonempty[q]) begin
        pick = q[${s.dw - 1}:0];
        pick_ok = 1'b1;
      end
    end
    pop[pick] = out_free && pick_ok;
  end
  assign m_axis_out_TVALID = out_v;
  assign m_axis_out_TDEST = out_pe;
  assign m_axis_out_TDATA = {${tdata}};
  always @(posedge ap_clk) begin
    if (arr_rst) begin
      out_v <= 1'b0;
      out_q <= {RB{1'b0}};
      out_pe <= ${s.dw}'d0;
      last <= ${s.dw}'d0;
    end else if (out_free) begin
      out_v <= pick_ok;
      if (pick_ok) begin
        out_q <= fifo_head[pick*RB +: RB];
        out_pe <= pick;
        last <= pick;
      end
    end
  end
  wire drained_all = !(|fifo_nonempty) && !out_v;

  // ---- AXI4-Lite: a write takes address and data together; one response, one read at a time.
  reg bvalid, rvalid;
  reg [31:0] rdata;
  wire wr_take = s_axi_control_AWVALID && s_axi_control_WVALID && !bvalid;
  wire rd_take = s_axi_control_ARVALID && !rvalid;
  wire [${AW - 3}:0] wr_word = s_axi_control_AWADDR[${AW - 1}:2];
  wire [${AW - 3}:0] rd_word = s_axi_control_ARADDR[${AW - 1}:2];
  assign s_axi_control_AWREADY = wr_take;
  assign s_axi_control_WREADY = wr_take;
  assign s_axi_control_BVALID = bvalid;
  assign s_axi_control_BRESP = 2'b00;
  assign s_axi_control_ARREADY = !rvalid;
  assign s_axi_control_RVALID = rvalid;
  assign s_axi_control_RDATA = rdata;
  assign s_axi_control_RRESP = 2'b00;
${rwRegs.map((r) => `  reg [${r.width - 1}:0] ${lc(r)};`).join('\n')}
  assign interrupt = r_gie & r_ier & isr;

  // Counter readout: PE CSEL[15:8], counter CSEL[7:0]; 'cycles' held from when the array finished.
  reg [N*CTRW-1:0] cycles_at_end;
  wire [${NC} * N*CTRW-1:0] ctr_all = {${[...COUNTER_NAMES].reverse().map((c) => (c === 'cycles' ? 'cycles_at_end' : `perf_${c}`)).join(', ')}};
  reg [CTRW-1:0] ctr_sel;
  integer ci, cp;
  always @* begin
    ctr_sel = {CTRW{1'b0}};
    for (ci = 0; ci < ${NC}; ci = ci + 1)
      for (cp = 0; cp < N; cp = cp + 1)
        if (r_csel[7:0] == ci[7:0] && r_csel[15:8] == cp[7:0]) ctr_sel = ctr_all[(ci*N + cp)*CTRW +: CTRW];
  end

  // Job words taken and rows dropped this cycle, over the PEs.
  integer j;
  reg [31:0] n_fire, n_lost;
  always @* begin
    n_fire = 32'd0;
    n_lost = 32'd0;
    for (j = 0; j < N; j = j + 1) begin
      n_fire = n_fire + {31'd0, job_fire[j]};
      n_lost = n_lost + {31'd0, fifo_lost[j]};
    end
  end
  wire array_finished = taken == r_jobs && arr_idle;
  wire done_now = running && array_done && drained_all;

  always @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      ap_start <= 1'b0; running <= 1'b0; array_done <= 1'b0; ap_done <= 1'b0; isr <= 1'b0;
      taken <= 32'd0; cycles <= 32'd0; array_cycles <= 32'd0; rows <= 32'd0; lost <= 32'd0;
      cycles_at_end <= {(N*CTRW){1'b0}};
      bvalid <= 1'b0; rvalid <= 1'b0; rdata <= 32'd0;
${rwRegs.map((r) => `      ${lc(r)} <= ${r.width}'d0;`).join('\n')}
    end else begin
      // Registers.
${rwRegs.map(rwWrites).join('\n')}
      if (wr_take) bvalid <= 1'b1;
      else if (s_axi_control_BREADY) bvalid <= 1'b0;
      if (rd_take) begin
        rvalid <= 1'b1;
        case (rd_word)
${regs.map((r) => `          ${wordIdx(r)}: rdata <= ${z32(readOf(r), r.width)};`).join('\n')}
          default: rdata <= 32'd0;
        endcase
      end else if (s_axi_control_RREADY) rvalid <= 1'b0;
      // Run control.
      ap_start <= wr_take && wr_word == WORD_CTRL && s_axi_control_WSTRB[0] && s_axi_control_WDATA[0] && ap_idle;
      if (ap_start) begin
        running <= 1'b1; array_done <= 1'b0;
        taken <= 32'd0; cycles <= 32'd0; array_cycles <= 32'd0; rows <= 32'd0; lost <= 32'd0;
      end else if (running) begin
        cycles <= cycles + 32'd1;
        taken <= taken + n_fire;
        if (!array_done) begin
          if (array_finished) begin
            array_done <= 1'b1;
            cycles_at_end <= perf_cycles;
          end else array_cycles <= array_cycles + 32'd1;
        end
        if (m_axis_out_TVALID && m_axis_out_TREADY) rows <= rows + 32'd1;
        lost <= lost + n_lost;
        if (done_now) running <= 1'b0;
      end
      // ap_done: set when a run is done, cleared by a read of CTRL (the read returns it set).
      if (done_now) ap_done <= 1'b1;
      else if (rd_take && rd_word == WORD_CTRL) ap_done <= 1'b0;
      // ISR bit 0: set on done when enabled, toggled by a write of 1.
      if (done_now && r_ier) isr <= 1'b1;
      else if (wr_take && wr_word == WORD_ISR && s_axi_control_WSTRB[0] && s_axi_control_WDATA[0]) isr <= !isr;
    end
  end

  wire unused_ok = &{1'b0, s_axi_control_AWADDR[1:0], s_axi_control_ARADDR[1:0]${pads.length ? `, ${pads.join(', ')}` : ''},
    ${mon.map((m) => `unused_${m}`).join(', ')}, 1'b0};
endmodule
` + footer;
  return { name: 'af_axi', file: 'af_axi.v', text };
}
