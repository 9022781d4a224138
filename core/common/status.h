#pragma once

// Errors as values. A small set of codes, each with one meaning (after absl::Status); the HTTP
// layer maps them to status codes in exactly one place. Exceptions never cross a folder boundary:
// adapters around Poco, RocksDB, librdkafka and libharu turn theirs into a Status at the edge.

#include <cassert>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ledgerdesk {

enum class StatusCode {
  kOk,
  kInvalidArgument,     // bad input from outside; the message names the field
  kFailedPrecondition,  // a business rule says no in the current state
  kAborted,             // a version conflict: reload and retry
  kUnavailable,         // broker, disk or peer down: retry later
  kNotFound,
  kAlreadyExists,
  kPermissionDenied,
  kUnauthenticated,
  kDataLoss,  // a corrupt or truncated record
  kInternal,  // an invariant broke: a bug
};

std::string_view StatusCodeName(StatusCode code);

// An OK status is one null pointer: the hot paths (a projection's every row read and write) make
// and pass on several a call, and an empty message string in each was a cost of its own.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message)
      : error_(code == StatusCode::kOk && message.empty()
                   ? nullptr
                   : std::make_unique<Error>(Error{code, std::move(message)})) {}
  Status(const Status& other)
      : error_(other.error_ ? std::make_unique<Error>(*other.error_) : nullptr) {}
  Status& operator=(const Status& other) {
    if (this != &other) error_ = other.error_ ? std::make_unique<Error>(*other.error_) : nullptr;
    return *this;
  }
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  bool ok() const { return error_ == nullptr || error_->code == StatusCode::kOk; }
  StatusCode code() const { return error_ ? error_->code : StatusCode::kOk; }
  // One plain sentence for a person; never a stack trace or a secret.
  const std::string& message() const;
  std::string ToString() const;

  // Returns a copy whose message is prefixed with `context: `.
  Status WithContext(std::string_view context) const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code() == b.code() && a.message() == b.message();
  }

 private:
  struct Error {
    StatusCode code;
    std::string message;
  };
  std::unique_ptr<Error> error_;  // null: OK
};

inline Status OkStatus() { return Status(); }
inline Status InvalidArgument(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status FailedPrecondition(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}
inline Status Aborted(std::string m) { return {StatusCode::kAborted, std::move(m)}; }
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status PermissionDenied(std::string m) {
  return {StatusCode::kPermissionDenied, std::move(m)};
}
inline Status Unauthenticated(std::string m) {
  return {StatusCode::kUnauthenticated, std::move(m)};
}
inline Status DataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// A value or the Status that explains why there is none. (std::expected needs C++23 and a newer
// clang than the fuzzers are built with.)
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    assert(!status_.ok() && "a Result without a value needs an error");
    if (status_.ok()) status_ = Internal("Result built from an OK status without a value");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T&& operator*() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace ledgerdesk

// Returns early from the enclosing function with the error of `expr` (a Status).
#define LD_RETURN_IF_ERROR(expr)              \
  do {                                        \
    ::ledgerdesk::Status ld_status_ = (expr); \
    if (!ld_status_.ok()) return ld_status_;  \
  } while (false)

#define LD_CONCAT_INNER(a, b) a##b
#define LD_CONCAT(a, b) LD_CONCAT_INNER(a, b)
// `LD_ASSIGN_OR_RETURN(auto x, MakeX());` binds the value or returns the error.
#define LD_ASSIGN_OR_RETURN(lhs, expr) \
  LD_ASSIGN_OR_RETURN_IMPL(LD_CONCAT(ld_result_, __LINE__), lhs, expr)
#define LD_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()
