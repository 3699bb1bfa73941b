/**
 * What both Verilator harnesses (testbench/harness.ts for af_array, testbench/axi-harness.ts for
 * af_axi) share: C++ that reads binary stimulus beats and moves bit fields between word buffers,
 * and TypeScript that writes the C++ copying a word buffer to or from a port of any width
 * (Verilator's types change at 32 and 64 bits).
 */
export const words = (w: number) => Math.ceil(w / 32);

/** C++ that copies a word buffer into a port of `width` bits. */
export function store(port: string, width: number, buf: string): string {
  if (width > 64) return `for (int i = 0; i < ${words(width)}; i++) top->${port}[i] = ${buf}[i];`;
  if (width > 32) return `top->${port} = (uint64_t)${buf}[0] | ((uint64_t)${buf}[1] << 32);`;
  return `top->${port} = ${buf}[0];`;
}

/** C++ that copies a port of `width` bits into a word buffer. */
export function load(port: string, width: number, buf: string): string {
  if (width > 64) return `for (int i = 0; i < ${words(width)}; i++) ${buf}[i] = top->${port}[i];`;
  if (width > 32) return `${buf}[0] = (uint32_t)top->${port}; ${buf}[1] = (uint32_t)((uint64_t)top->${port} >> 32);`;
  return `${buf}[0] = top->${port};`;
}

/** C++ (inside a template literal: escapes as in the harness text) of beat streams and bit fields; needs Words. */
export const CPP_BEATS = `/** A stream of beats, each nwords little-endian words (the host is little-endian). */
struct Stream {
  Words w;
  int nwords;
  size_t beats;
  const uint32_t* beat(size_t i) const { return &w[i * nwords]; }
};

static Stream readBeats(const std::string& path, int width) {
  Stream s;
  s.nwords = (width + 31) / 32;
  FILE* f = fopen(path.c_str(), "rb");
  if (!f) { fprintf(stderr, "cannot open %s\\n", path.c_str()); exit(2); }
  fseek(f, 0, SEEK_END);
  long bytes = ftell(f);
  fseek(f, 0, SEEK_SET);
  if (bytes % (4 * s.nwords) != 0) { fprintf(stderr, "%s: %ld bytes is not a whole number of %d-word beats\\n", path.c_str(), bytes, s.nwords); exit(2); }
  s.w.resize(bytes / 4 + 1);
  if (bytes && fread(&s.w[0], 4, bytes / 4, f) != (size_t)(bytes / 4)) { fprintf(stderr, "cannot read %s\\n", path.c_str()); exit(2); }
  fclose(f);
  s.beats = bytes / (4 * s.nwords);
  return s;
}

/** Copy 'width' bits of src (from bit 0) into dst at bit 'lo', a word at a time (dst has a spare word). */
static void setBits(uint32_t* dst, int lo, const uint32_t* src, int width) {
  for (int i = 0; i < width; i += 32) {
    int n = width - i < 32 ? width - i : 32;
    uint64_t mask = (n == 32 ? 0xffffffffull : ((1ull << n) - 1));
    int at = lo + i, w = at / 32, sh = at % 32;
    uint64_t cur = (uint64_t)dst[w] | ((uint64_t)dst[w + 1] << 32);
    cur = (cur & ~(mask << sh)) | (((uint64_t)src[i / 32] & mask) << sh);
    dst[w] = (uint32_t)cur;
    dst[w + 1] = (uint32_t)(cur >> 32);
  }
}

/** Bits [lo, lo+width) of src, width <= 32 (src has a spare word). */
static uint32_t getBits(const uint32_t* src, int lo, int width) {
  uint64_t cur = (uint64_t)src[lo / 32] | ((uint64_t)src[lo / 32 + 1] << 32);
  return (uint32_t)((cur >> (lo % 32)) & (width == 32 ? 0xffffffffull : ((1ull << width) - 1)));
}
`;
