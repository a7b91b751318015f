#include "kernels/kernels.hpp"

#include <atomic>
#include <string>
#include <vector>

#include "detail/bytes.hpp"

namespace tsweep::codec::detail {

namespace scalar {
extern const Kernels kTable;
}
#if defined(__GNUC__) && (defined(__clang__) || __GNUC__ >= 12)
#define TSWEEP_HAVE_VECTOR128 1
namespace vector128 {
extern const Kernels kTable;
}
#endif
#if defined(TSWEEP_CODEC_AVX2)
namespace avx2 {
extern const Kernels kTable;
}
#endif
#if defined(TSWEEP_CODEC_AVX512)
namespace avx512 {
std::size_t unary16(UnaryCursor& c, std::size_t want, void* q);
std::size_t unary32(UnaryCursor& c, std::size_t want, void* q);
std::size_t unary64(UnaryCursor& c, std::size_t want, void* q);
}  // namespace avx512
#endif

namespace {

std::vector<const Kernels*> detect() {
  std::vector<const Kernels*> all{&scalar::kTable};
#if defined(TSWEEP_HAVE_VECTOR128)
  all.push_back(&vector128::kTable);
#endif
#if defined(TSWEEP_CODEC_AVX2)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2")) all.push_back(&avx2::kTable);
#endif
#if defined(TSWEEP_CODEC_AVX512)
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vbmi2") && __builtin_cpu_supports("popcnt")) {
    // The AVX2 row kernels (constant-initialised) with the word-wide unary decoder.
    static const Kernels table = [] {
      Kernels k = avx2::kTable;
      k.name = "avx512";
      k.unary16 = &avx512::unary16;
      k.unary32 = &avx512::unary32;
      k.unary64 = &avx512::unary64;
      return k;
    }();
    all.push_back(&table);
  }
#endif
  return all;
}

const std::vector<const Kernels*>& available() {
  static const std::vector<const Kernels*> all = detect();
  return all;
}

std::atomic<const Kernels*>& active() {
  static std::atomic<const Kernels*> k{available().back()};
  return k;
}

}  // namespace

const Kernels& kernels() noexcept {
  return *active().load(std::memory_order_relaxed);
}
std::size_t kernel_count() noexcept {
  return available().size();
}
const Kernels& kernel_at(std::size_t i) noexcept {
  return *available().at(i);
}
void use_kernels(const Kernels& k) noexcept {
  active().store(&k, std::memory_order_relaxed);
}

void fail_exception(const char* what, std::uint64_t position) {
  fail(std::string("integer stream: ") + what + " (position " + std::to_string(position) + ")");
}

}  // namespace tsweep::codec::detail
