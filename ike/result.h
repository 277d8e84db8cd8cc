#pragma once
// A value or an error with a human-readable reason (C++20 has no std::expected).
#include <string>
#include <utility>
#include <variant>

namespace xgw::ike {

struct Error {
  std::string reason;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T v) : v_(std::move(v)) {}               // NOLINT(google-explicit-constructor)
  Result(Error e) : v_(std::move(e)) {}           // NOLINT(google-explicit-constructor)
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  T& operator*() { return std::get<0>(v_); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

inline Error fail(std::string reason) { return Error{std::move(reason)}; }

}  // namespace xgw::ike
