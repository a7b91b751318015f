#pragma once
/// \file
/// A minimal non-owning view of contiguous elements (C++17 has no std::span).

#include <array>
#include <cstddef>
#include <type_traits>
#include <vector>

namespace tsweep {

template <class T>
class Span {
 public:
  using element_type = T;
  using value_type = std::remove_cv_t<T>;
  using size_type = std::size_t;
  using iterator = T*;

  constexpr Span() noexcept = default;
  constexpr Span(T* data, std::size_t size) noexcept : m_data(data), m_size(size) {}
  template <class U, class = std::enable_if_t<std::is_convertible_v<U (*)[], T (*)[]>>>
  constexpr Span(const Span<U>& other) noexcept : m_data(other.data()), m_size(other.size()) {}
  template <class A>
  Span(std::vector<value_type, A>& v) noexcept : m_data(v.data()), m_size(v.size()) {}
  template <class A, class U = T, class = std::enable_if_t<std::is_const_v<U>>>
  Span(const std::vector<value_type, A>& v) noexcept : m_data(v.data()), m_size(v.size()) {}
  template <std::size_t N>
  constexpr Span(std::array<value_type, N>& a) noexcept : m_data(a.data()), m_size(N) {}
  template <std::size_t N, class U = T, class = std::enable_if_t<std::is_const_v<U>>>
  constexpr Span(const std::array<value_type, N>& a) noexcept : m_data(a.data()), m_size(N) {}

  [[nodiscard]] constexpr T* data() const noexcept { return m_data; }
  [[nodiscard]] constexpr std::size_t size() const noexcept { return m_size; }
  [[nodiscard]] constexpr std::size_t size_bytes() const noexcept { return m_size * sizeof(T); }
  [[nodiscard]] constexpr bool empty() const noexcept { return m_size == 0; }
  constexpr T& operator[](std::size_t i) const noexcept { return m_data[i]; }
  constexpr T* begin() const noexcept { return m_data; }
  constexpr T* end() const noexcept { return m_data + m_size; }
  [[nodiscard]] constexpr Span subspan(std::size_t offset, std::size_t count) const noexcept {
    return {m_data + offset, count};
  }
  [[nodiscard]] constexpr Span first(std::size_t count) const noexcept { return {m_data, count}; }

 private:
  T* m_data = nullptr;
  std::size_t m_size = 0;
};

/// Bytes of any trivially copyable span, read-only.
template <class T>
Span<const std::byte> as_bytes(Span<T> s) noexcept {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size_bytes()};
}

}  // namespace tsweep
