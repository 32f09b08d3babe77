// The float32 GEMM of sgemm.h. Loop structure (BLIS): for each NC-wide column block of B and each
// KC-deep slice of k, B's slice is packed into NR-wide panels (kept in L2/L3), unless B is row-major
// and the slice short enough for a panel's rows to sit in L1 as they are; for each MC-tall row
// block of A, A's slice is packed into MR-tall panels (kept in L2), unless A is row-major and
// narrow products make packing it not worth its cost; the micro-kernel then multiplies MR rows of A
// by one B panel into an MR x NR tile of C held in registers, streaming B from L1 whatever the
// operands' original strides were, and applies the epilogue (alpha, beta, a bias) as it stores.
#include <accel/kernels/cpu/sgemm.h>

#if defined(__AVX2__) && defined(__FMA__)

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include <accel/kernels/cpu/parallel.h>
#include <accel/kernels/cpu/sgemm_dot.h>
#include <accel/kernels/cpu/transpose8.h>
#include <accel/tensor/error.h>

namespace accel::cpu {
namespace {

// The vector ISA. The micro-tile is MR rows x 2 vectors: 2 * MR accumulators, two B vectors and
// one broadcast A value fill the register file (16 ymm with AVX2, 32 zmm with AVX-512).
#if defined(__AVX512F__)
struct Isa {
  using Vec = __m512;
  static constexpr int kWidth = 16;
  static constexpr int kRows = 14;
  static Vec zero() { return _mm512_setzero_ps(); }
  static Vec broadcast(float x) { return _mm512_set1_ps(x); }
  static Vec load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, Vec v) { _mm512_storeu_ps(p, v); }
  static Vec mul(Vec a, Vec b) { return _mm512_mul_ps(a, b); }
  static Vec fma(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }
};
#else
struct Isa {
  using Vec = __m256;
  static constexpr int kWidth = 8;
  static constexpr int kRows = 6;
  static Vec zero() { return _mm256_setzero_ps(); }
  static Vec broadcast(float x) { return _mm256_set1_ps(x); }
  static Vec load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, Vec v) { _mm256_storeu_ps(p, v); }
  static Vec mul(Vec a, Vec b) { return _mm256_mul_ps(a, b); }
  static Vec fma(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }
};
#endif

using Vec = Isa::Vec;
constexpr int kW = Isa::kWidth;
constexpr int64_t MR = Isa::kRows;
constexpr int64_t NR = 2 * kW;
// Cache blocking: an A panel (MR x KC) and a B panel (KC x NR) fit in L1 together, an A block
// (MC x KC) in L2, a B block (KC x NC) in L3.
constexpr int64_t KC = 256;
constexpr int64_t MC = MR * 24;
constexpr int64_t NC = NR * 128;

// Where the micro-kernel reads its MR rows of A: a packed panel (A[i][p] at a[p * MR + i]), or a
// row-major A in place (at a[i * row_stride + p]), which then needs no packing at all.
struct PackedRows {
  static constexpr int64_t row_step(int64_t) { return 1; }
  static constexpr int64_t col_step = MR;
};
struct RowMajorRows {
  static int64_t row_step(int64_t row_stride) { return row_stride; }
  static constexpr int64_t col_step = 1;
};

// What becomes of a finished tile: C = alpha * product + beta * C, plus bias[j] in column j when
// bias (the tile's first column's) is given.
struct Epilogue {
  float alpha, beta;
  const float* bias;
};

// C tile (rows x cols <= MR x kVecs * kW, rows ldc apart) = the epilogue of A rows @ B panel, the
// panel's rows b_row_stride apart (NR when packed, B's row stride when read in place).
// kVecs = 1 computes only the first half of the panel: the last panel of a product whose width is
// not a multiple of NR (a 14x14 image's 196 pixels) would otherwise spend half its FMAs on padding.
// Likewise kRows < MR computes only the first kRows rows, for a last tile of few rows (64 output
// channels leave 4 after ten tiles of 6).
template <typename ARows, int kVecs, int kRows>
void micro_kernel(int64_t kc, const float* a, int64_t a_row_stride, const float* b, int64_t b_row_stride,
                  const Epilogue& e, float* c, int64_t ldc, int64_t rows, int64_t cols) {
  const float alpha = e.alpha, beta = e.beta;
  const float* bias = e.bias;
  const int64_t rs = ARows::row_step(a_row_stride);
  Vec acc[kRows][kVecs];
#pragma GCC unroll 16
  for (int i = 0; i < kRows; ++i)
    for (int h = 0; h < kVecs; ++h) acc[i][h] = Isa::zero();
  // Unrolled: with 12 accumulators, 2 B vectors and a broadcast in the 16 registers, the loop's own
  // counter and pointers were a sixth of its instructions for the short k of a weight gradient
  // (k = batch size) or a 3 x 3 convolution (k = 9 x channels).
#pragma GCC unroll 4
  for (int64_t p = 0; p < kc; ++p, a += ARows::col_step, b += b_row_stride) {
    Vec bv[kVecs];
    for (int h = 0; h < kVecs; ++h) bv[h] = Isa::load(b + h * kW);
#pragma GCC unroll 16
    for (int i = 0; i < kRows; ++i) {
      const Vec ai = Isa::broadcast(a[i * rs]);
      for (int h = 0; h < kVecs; ++h) acc[i][h] = Isa::fma(ai, bv[h], acc[i][h]);
    }
  }
  const Vec va = Isa::broadcast(alpha), vb = Isa::broadcast(beta);
  if (rows == kRows && cols == kVecs * kW && alpha == 1 && beta == 0 && !bias) {  // a plain product
#pragma GCC unroll 16
    for (int i = 0; i < kRows; ++i)
      for (int h = 0; h < kVecs; ++h) Isa::store(c + i * ldc + h * kW, acc[i][h]);
    return;
  }
  if (rows == kRows && cols == kVecs * kW) {
    Vec vbias[kVecs];
    for (int h = 0; h < kVecs; ++h) vbias[h] = bias ? Isa::load(bias + h * kW) : Isa::zero();
#pragma GCC unroll 16
    for (int i = 0; i < kRows; ++i) {
      for (int h = 0; h < kVecs; ++h) {
        float* ci = c + i * ldc + h * kW;
        const Vec scaled = bias ? Isa::fma(va, acc[i][h], vbias[h]) : Isa::mul(va, acc[i][h]);
        Isa::store(ci, beta == 0 ? scaled : Isa::fma(vb, Isa::load(ci), scaled));
      }
    }
    return;
  }
  alignas(64) float tile[kRows * NR];
  for (int i = 0; i < kRows; ++i)
    for (int h = 0; h < kVecs; ++h) Isa::store(tile + i * NR + h * kW, acc[i][h]);
  for (int64_t i = 0; i < rows; ++i) {
    float* ci = c + i * ldc;
    for (int64_t j = 0; j < cols; ++j) {
      const float scaled = bias ? std::fma(alpha, tile[i * NR + j], bias[j]) : alpha * tile[i * NR + j];
      ci[j] = beta == 0 ? scaled : scaled + beta * ci[j];
    }
  }
}

// The micro-kernel for a tile `rows` tall and `cols` wide.
constexpr int kShortRows = 4;
template <typename ARows>
void micro_tile(int64_t kc, const float* a, int64_t a_row_stride, const float* b, int64_t b_row_stride,
                const Epilogue& e, float* c, int64_t ldc, int64_t rows, int64_t cols) {
  const auto run = [&]<int kVecs, int kRows>() {
    micro_kernel<ARows, kVecs, kRows>(kc, a, a_row_stride, b, b_row_stride, e, c, ldc, rows, cols);
  };
  if (rows <= kShortRows) {
    if (cols <= kW) run.template operator()<1, kShortRows>();
    else run.template operator()<2, kShortRows>();
  } else if (cols <= kW) {
    run.template operator()<1, MR>();
  } else {
    run.template operator()<2, MR>();
  }
}

// The rows of the packed tile that starts `rows_left` rows before the end of a block: MR, except
// that the last MR + 1 or MR + 2 rows go as two short tiles (4 + 3 or 4 + 4 with MR = 6), which the
// 4-row kernel computes as 8 rows where MR + 4 would be 10, and stores whole (a 128-row weight
// gradient leaves 2: its GEMM 80 -> 75 us). Not for A read in place: 4-row tiles reading 4 rows of a
// row-major A in place made a [32, 784] x [784, 128] product 84 -> 101 us.
int64_t packed_tile_rows(int64_t rows_left) {
  return rows_left > MR && rows_left <= 2 * kShortRows ? kShortRows : std::min(MR, rows_left);
}

// Rows of A into one panel. A row-major A [MR, kc]: eight values of k at a time, MR rows (in groups
// of 8, zero-padded) transposed in registers and stored as 8-wide rows of the panel in increasing
// p, each spilling its padding into the next p's slot just before that one is written (the last
// spills past the panel: the buffer has room). A scalar copy of this was a twentieth of a
// convolution's weight-gradient GEMM.
constexpr int64_t kRowGroups = (MR + 7) / 8;
void pack_a_rows(const float* src, int64_t row_stride, int64_t kc, float* dst) {
  int64_t p = 0;
  for (; p + 8 <= kc; p += 8) {
    __m256 block[kRowGroups][8];
    for (int64_t g = 0; g < kRowGroups; ++g) {
      for (int64_t i = 0; i < 8; ++i)
        block[g][i] = g * 8 + i < MR ? _mm256_loadu_ps(src + (g * 8 + i) * row_stride + p) : _mm256_setzero_ps();
      transpose8(block[g]);
    }
    for (int64_t j = 0; j < 8; ++j)
      for (int64_t g = 0; g < kRowGroups; ++g) _mm256_storeu_ps(dst + (p + j) * MR + g * 8, block[g][j]);
  }
  for (; p < kc; ++p)
    for (int64_t i = 0; i < MR; ++i) dst[p * MR + i] = src[i * row_stride + p];
}

// A [rows, kc] (a view starting at the block) into MR-row panels: for each p, the panel's MR values
// of column p; rows past the end are zero.
void pack_a(MatrixView a, int64_t rows, int64_t kc, float* dst) {
  for (int64_t r0 = 0; r0 < rows; r0 += MR, dst += MR * kc) {
    const int64_t mr = std::min(MR, rows - r0);
    const float* src = a.data + r0 * a.row_stride;
    if (mr < MR) std::fill(dst, dst + MR * kc, 0.0f);
    // A transposed view: the panel's values of one column are adjacent. Copied by a loop: GCC
    // makes std::copy_n of these few values a memmove call, as long as the copy itself.
    if (a.row_stride == 1) {
      for (int64_t p = 0; p < kc; ++p)
        for (int64_t i = 0; i < mr; ++i) dst[p * MR + i] = src[p * a.col_stride + i];
    } else if (a.col_stride == 1 && mr == MR) {
      pack_a_rows(src, a.row_stride, kc, dst);
    } else {
      for (int64_t i = 0; i < mr; ++i)
        for (int64_t p = 0; p < kc; ++p) dst[p * MR + i] = src[i * a.row_stride + p * a.col_stride];
    }
  }
}

// dst[j * dst_stride + i] = src[i * src_stride + j] for an 8 x 8 block (AVX, also on AVX-512 CPUs).
void transpose_8x8(const float* src, int64_t src_stride, float* dst, int64_t dst_stride) {
  __m256 rows[8];
  for (int i = 0; i < 8; ++i) rows[i] = _mm256_loadu_ps(src + i * src_stride);
  transpose8(rows);
  for (int i = 0; i < 8; ++i) _mm256_storeu_ps(dst + i * dst_stride, rows[i]);
}

// B [kc, cols] (a view starting at the block) into NR-column panels: for each p, the panel's NR
// values of row p; columns past the end are zero. Packing costs a pass over B per product, which
// for a short A (a batch of 32 rows) is a third of the time: whole rows are copied as vectors, and
// a transposed B (a weight in x @ W^T) is transposed in 8 x 8 register blocks.
void pack_b(MatrixView b, int64_t kc, int64_t cols, float* dst) {
  for (int64_t c0 = 0; c0 < cols; c0 += NR, dst += NR * kc) {
    const int64_t nr = std::min(NR, cols - c0);
    const float* src = b.data + c0 * b.col_stride;
    if (nr < NR) std::fill(dst, dst + NR * kc, 0.0f);
    if (b.col_stride == 1 && nr == NR) {
      for (int64_t p = 0; p < kc; ++p) {
        Isa::store(dst + p * NR, Isa::load(src + p * b.row_stride));
        Isa::store(dst + p * NR + kW, Isa::load(src + p * b.row_stride + kW));
      }
    } else if (b.col_stride == 1) {
      for (int64_t p = 0; p < kc; ++p)  // a loop: a memcpy call per few values would cost as much
        for (int64_t j = 0; j < nr; ++j) dst[p * NR + j] = src[p * b.row_stride + j];
    } else if (b.row_stride == 1 && nr == NR) {  // column j of the panel is contiguous in memory
      int64_t p = 0;
      for (; p + 8 <= kc; p += 8)
        for (int64_t j = 0; j < NR; j += 8)
          transpose_8x8(src + j * b.col_stride + p, b.col_stride, dst + p * NR + j, NR);
      for (; p < kc; ++p)
        for (int64_t j = 0; j < NR; ++j) dst[p * NR + j] = src[j * b.col_stride + p];
    } else {
      for (int64_t j = 0; j < nr; ++j)
        for (int64_t p = 0; p < kc; ++p) dst[p * NR + j] = src[j * b.col_stride + p * b.row_stride];
    }
  }
}

// A 64-byte aligned scratch buffer per thread that only grows, so steady-state GEMMs never allocate.
class PackBuffer {
 public:
  ~PackBuffer() { std::free(data_); }
  float* get(int64_t floats) {
    if (floats > capacity_) {
      std::free(data_);
      const size_t bytes = (static_cast<size_t>(floats) * sizeof(float) + 63) / 64 * 64;
      data_ = static_cast<float*>(std::aligned_alloc(64, bytes));
      ACCEL_CHECK(data_ != nullptr, "sgemm: out of memory for a ", bytes, "-byte packing buffer");
      capacity_ = floats;
    }
    return data_;
  }

 private:
  float* data_ = nullptr;
  int64_t capacity_ = 0;
};

MatrixView offset(MatrixView v, int64_t row, int64_t col) {
  return {v.data + row * v.row_stride + col * v.col_stride, v.row_stride, v.col_stride};
}

// B as sgemm_serial reads it: memory, or the columns from first_col on of a PanelSource.
struct BOperand {
  MatrixView view;
  const PanelSource* source = nullptr;
  int64_t first_col = 0;
};

// The whole product on the calling thread.
void sgemm_serial(int64_t m, int64_t n, int64_t k, float alpha, MatrixView a, BOperand b, float beta,
                  const float* bias, float* c, int64_t ldc) {
  thread_local PackBuffer a_buffer, b_buffer;
  // Equal k slices: 784 = 4 x 196 rather than 3 x 256 + 16.
  const int64_t k_slices = (k + KC - 1) / KC;
  const int64_t kc_max = (k + k_slices - 1) / k_slices;
  // + 8 per row group: pack_a_rows spills past the last panel.
  float* packed_a = a_buffer.get(std::min(MC, (m + MR - 1) / MR * MR) * kc_max + kRowGroups * 8);
  // A row-major A can be read in place by the kernel's broadcasts. Packing costs about a cycle per
  // element of A against n / 32 cycles of arithmetic on it, so it is skipped when n is small (the
  // forward GEMM of a narrow layer); for wide products the packed panel's locality pays (A's rows,
  // a page apart, would otherwise compete for the same cache sets).
  const bool a_in_place = a.col_stride == 1 && n <= 256;
  // A row-major B with a short k is read in place too: a panel's rows (a cache line each) stay in
  // L1 while all of A passes over them, so packing, a pass over B per product, only cost time (a
  // twentieth of a weight gradient's, k = batch size). A last partial panel is packed (zero-padded).
  const bool b_in_place = !b.source && b.view.col_stride == 1 && kc_max <= 64;
  float* packed_b = b_buffer.get(std::min(NC, (n + NR - 1) / NR * NR) * kc_max);
  for (int64_t jc = 0; jc < n; jc += NC) {
    const int64_t nc = std::min(NC, n - jc);
    for (int64_t pc = 0; pc < k; pc += kc_max) {
      const int64_t kc = std::min(kc_max, k - pc);
      // Later slices accumulate onto the first, which also adds the bias.
      const float slice_beta = pc == 0 ? beta : 1.0f;
      const float* slice_bias = pc == 0 && bias ? bias + jc : nullptr;
      const int64_t direct_cols = b_in_place ? nc / NR * NR : 0;
      if (b.source) b.source->pack(pc, kc, b.first_col + jc, nc, packed_b);
      else pack_b(offset(b.view, pc, jc + direct_cols), kc, nc - direct_cols, packed_b);
      for (int64_t ic = 0; ic < m; ic += MC) {
        const int64_t mc = std::min(MC, m - ic);
        // A row-major A is read in place by its MR-row tiles and a last partial one is packed
        // (zero-padded); any other A is packed, one panel per tile, in the tiles of packed_tile_rows.
        const auto in_place = [&](int64_t rows) { return a_in_place && rows == MR; };
        const auto tile_rows = [&](int64_t rows_left) {
          return a_in_place ? std::min(MR, rows_left) : packed_tile_rows(rows_left);
        };
        float* next_panel = packed_a;
        for (int64_t ir = 0, rows = 0; ir < mc; ir += rows) {
          rows = tile_rows(mc - ir);
          if (in_place(rows)) continue;
          pack_a(offset(a, ic + ir, pc), rows, kc, next_panel);
          next_panel += MR * kc;
        }
        for (int64_t jr = 0; jr < nc; jr += NR) {
          const bool direct_b = jr < direct_cols;
          const float* panel =
              direct_b ? b.view.data + pc * b.view.row_stride + jc + jr : packed_b + (jr - direct_cols) * kc;
          const int64_t panel_row_stride = direct_b ? b.view.row_stride : NR;
          const Epilogue e{alpha, slice_beta, slice_bias ? slice_bias + jr : nullptr};
          const float* a_panel = packed_a;
          for (int64_t ir = 0, rows = 0; ir < mc; ir += rows) {
            rows = tile_rows(mc - ir);
            float* tile = c + (ic + ir) * ldc + jc + jr;
            const int64_t cols = std::min(NR, nc - jr);
            if (in_place(rows)) {
              micro_tile<RowMajorRows>(kc, a.data + (ic + ir) * a.row_stride + pc * a.col_stride, a.row_stride,
                                       panel, panel_row_stride, e, tile, ldc, rows, cols);
            } else {
              micro_tile<PackedRows>(kc, a_panel, 0, panel, panel_row_stride, e, tile, ldc, rows, cols);
              a_panel += MR * kc;
            }
          }
        }
      }
    }
  }
}

// C = beta * C (+ bias per column): the whole result when the product itself is zero.
void scale(int64_t m, int64_t n, float beta, const float* bias, float* c, int64_t ldc) {
  for (int64_t i = 0; i < m; ++i) {
    float* row = c + i * ldc;
    for (int64_t j = 0; j < n; ++j) {
      const float scaled = beta == 0 ? 0.0f : beta * row[j];
      row[j] = bias ? scaled + bias[j] : scaled;
    }
  }
}

// Runs part(r0, c0, rows, cols) over all of C [m, n]: on the calling thread when one thread would do,
// else with one fork for the whole product, C cut into a grid of blocks, one per thread, each
// computed by the serial algorithm with its own packed copies (the duplicated packing of the
// shared operand costs O(k * (m + n)) against O(m * n * k) of arithmetic). Cuts fall on the edges
// of tiles of tile_rows x tile_cols.
template <typename Part>
void run_in_parts(int64_t m, int64_t n, int64_t k, int64_t tile_rows, int64_t tile_cols, const Part& part) {
  const int threads = get_num_threads();
  constexpr double kMinParallelMacs = 64.0 * 64 * 64;
  if (threads == 1 || in_parallel_region() || static_cast<double>(m) * n * k < kMinParallelMacs)
    return part(0, 0, m, n);
  const int64_t row_tiles = (m + tile_rows - 1) / tile_rows, col_tiles = (n + tile_cols - 1) / tile_cols;
  int64_t grid_rows = 1, grid_cols = 1;
  while (grid_rows * grid_cols < threads) {
    const bool cut_rows = row_tiles * grid_cols >= col_tiles * grid_rows;  // the longer side, in tiles per part
    if (cut_rows && grid_rows < row_tiles) ++grid_rows;
    else if (grid_cols < col_tiles) ++grid_cols;
    else if (grid_rows < row_tiles) ++grid_rows;
    else break;
  }
  const int64_t rows_per_part = (row_tiles + grid_rows - 1) / grid_rows * tile_rows;
  const int64_t cols_per_part = (col_tiles + grid_cols - 1) / grid_cols * tile_cols;
  parallel_for(0, grid_rows * grid_cols, 1, [&](int64_t first, int64_t last) {
    for (int64_t p = first; p < last; ++p) {
      const int64_t r0 = p / grid_cols * rows_per_part, c0 = p % grid_cols * cols_per_part;
      if (r0 < m && c0 < n) part(r0, c0, std::min(rows_per_part, m - r0), std::min(cols_per_part, n - c0));
    }
  });
}

}  // namespace

void sgemm(int64_t m, int64_t n, int64_t k, float alpha, MatrixView a, MatrixView b, float beta, float* c,
           int64_t ldc, const float* column_bias) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0 || alpha == 0) return scale(m, n, beta, column_bias, c, ldc);
  // The dot-product GEMM's few rows of A are shared: it only cuts columns.
  const bool dot = sgemm_dot_suits(m, k, a, b);
  run_in_parts(m, n, k, dot ? m : MR, dot ? kDotTileCols : NR, [&](int64_t r0, int64_t c0, int64_t rows, int64_t cols) {
    const float* bias = column_bias ? column_bias + c0 : nullptr;
    float* part = c + r0 * ldc + c0;
    if (dot) sgemm_dot(rows, cols, k, alpha, offset(a, r0, 0), offset(b, 0, c0), beta, bias, part, ldc);
    else sgemm_serial(rows, cols, k, alpha, offset(a, r0, 0), {offset(b, 0, c0)}, beta, bias, part, ldc);
  });
}

void sgemm(int64_t m, int64_t n, int64_t k, float alpha, MatrixView a, const PanelSource& b, float beta, float* c,
           int64_t ldc) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0 || alpha == 0) return scale(m, n, beta, nullptr, c, ldc);
  run_in_parts(m, n, k, MR, NR, [&](int64_t r0, int64_t c0, int64_t rows, int64_t cols) {
    sgemm_serial(rows, cols, k, alpha, offset(a, r0, 0), {{}, &b, c0}, beta, nullptr, c + r0 * ldc + c0, ldc);
  });
}

}  // namespace accel::cpu

#else  // no vector micro-kernel for this ISA: sgemm_available() is false and callers use Eigen

#include <accel/tensor/error.h>

namespace accel::cpu {
void sgemm(int64_t, int64_t, int64_t, float, MatrixView, MatrixView, float, float*, int64_t, const float*) {
  ACCEL_FAIL("sgemm: this build targets a CPU without AVX2 and FMA; use Eigen (see sgemm_available())");
}
void sgemm(int64_t, int64_t, int64_t, float, MatrixView, const PanelSource&, float, float*, int64_t) {
  ACCEL_FAIL("sgemm: this build targets a CPU without AVX2 and FMA; use Eigen (see sgemm_available())");
}
}  // namespace accel::cpu

#endif
