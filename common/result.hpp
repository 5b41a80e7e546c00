#pragma once
// result<T, E>: the value of an operation that can fail in an expected way (bad input, a
// remote error), carried without exceptions. Exceptions remain for bugs and unrecoverable
// infrastructure (see DESIGN.md "Conventions").

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

namespace ks {

template <class E>
struct failure {
  E error;
};

template <class E>
failure<std::decay_t<E>> fail(E&& e) {
  return {std::forward<E>(e)};
}

template <class T, class E>
class [[nodiscard]] result {
 public:
  // A failure with a value-initialised error. Exists for code that must default-construct a
  // value first (Asio's co_spawn completions); it can never be mistaken for success.
  result() requires std::is_default_constructible_v<E> : v_(std::in_place_index<1>) {}
  result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  result(failure<E> f) : v_(std::in_place_index<1>, std::move(f.error)) {}
  template <class G>
  requires(!std::is_same_v<G, E> && std::is_constructible_v<E, G>) result(failure<G> f)
      : v_(std::in_place_index<1>, E(std::move(f.error))) {}

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & {
    assert(has_value());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(has_value());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(has_value());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  E& error() & {
    assert(!has_value());
    return std::get<1>(v_);
  }
  const E& error() const& {
    assert(!has_value());
    return std::get<1>(v_);
  }
  E&& error() && {
    assert(!has_value());
    return std::get<1>(std::move(v_));
  }

 private:
  std::variant<T, E> v_;
};

// result<void, E>
struct ok_t {};
inline constexpr ok_t ok{};

template <class E>
class [[nodiscard]] result<void, E> {
 public:
  // A failure with a value-initialised error (see the primary template).
  result() requires std::is_default_constructible_v<E> : failed_(true) {}
  result(ok_t) {}
  result(failure<E> f) : error_(std::move(f.error)), failed_(true) {}
  template <class G>
  requires(!std::is_same_v<G, E> && std::is_constructible_v<E, G>) result(failure<G> f)
      : error_(E(std::move(f.error))), failed_(true) {}

  bool has_value() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return has_value(); }
  E& error() & {
    assert(failed_);
    return error_;
  }
  const E& error() const& {
    assert(failed_);
    return error_;
  }

 private:
  E error_{};
  bool failed_ = false;
};

}  // namespace ks
