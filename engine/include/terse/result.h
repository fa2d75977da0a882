#pragma once
// terse::Result<T>: the value-or-error type returned by every public engine function (design.md
// rule 8).

#include <string>
#include <utility>
#include <variant>

namespace terse {

// Error codes the app maps to translated messages; `detail` carries the English specifics.
enum class ErrorCode {
    InvalidArgument, // a parameter is out of range or inconsistent
    InvalidInput,  // the user's text or data is unusable (empty, binary, invalid UTF-8, too large)
    NotFound,      // a file, model, method or record does not exist
    IoError,       // reading or writing a file failed
    FormatError,   // a file is malformed (truncated, bad header, bad JSON, wrong offsets)
    Unsupported,   // a valid file or option this build does not handle
    Cancelled,     // the JobContext was cancelled
    ModelError,    // the model failed while computing
    DatabaseError, // the session store failed
    Internal,      // a bug: an unexpected exception escaped a component
};

// Stable lower-case name of a code ("invalid_argument"), used in JSON output and logs.
const char *errorCodeName(ErrorCode code);

struct Error {
    ErrorCode code = ErrorCode::Internal;
    std::string detail; // English, names the file/field/position at fault

    // "code_name: detail", for logs and the CLI.
    std::string toString() const;
};

// A small stand-in for std::expected<T, Error> (C++20 has none). Accessing the wrong
// alternative throws std::bad_variant_access; check ok() first.
template <typename T> class [[nodiscard]] Result {
public:
    Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : m_v(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return m_v.index() == 0; }
    explicit operator bool() const { return ok(); }

    T &value() & { return std::get<0>(m_v); }
    const T &value() const & { return std::get<0>(m_v); }
    T &&value() && { return std::get<0>(std::move(m_v)); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }

    const Error &error() const { return std::get<1>(m_v); }

private:
    std::variant<T, Error> m_v;
};

// Result<void>: success or an Error.
template <> class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)), m_ok(false) {}
    bool ok() const { return m_ok; }
    explicit operator bool() const { return m_ok; }
    const Error &error() const { return m_error; }

private:
    Error m_error;
    bool m_ok = true;
};

// Convenience constructor: `return terse::fail(ErrorCode::NotFound, "no file " + path);`
inline Error fail(ErrorCode code, std::string detail)
{
    return Error{code, std::move(detail)};
}

} // namespace terse
