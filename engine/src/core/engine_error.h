#pragma once
// The one exception type inside the engine (design.md rule 8: exceptions inside, Results at the
// edge; issue 19 replaced TextError, WeightError, StoreException and LLMLingua's Stop with it). It
// carries what went wrong as an ErrorCode and a message that names the file, field or value; each
// area's guard turns it into an Error.

#include "terse/job.h"
#include "terse/result.h"

#include <exception>
#include <new>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace terse::detail {

struct EngineError {
    ErrorCode code = ErrorCode::Internal;
    std::string detail;

    EngineError(ErrorCode c, std::string d) : code(c), detail(std::move(d)) {}
    explicit EngineError(const Error &e) : code(e.code), detail(e.detail) {}
    Error error() const { return Error{code, detail}; }
};

// Throws EngineError{code, detail}.
[[noreturn]] inline void raise(ErrorCode code, std::string detail)
{
    throw EngineError(code, std::move(detail));
}

// How one area's guard words what it catches (each area keeps its own messages).
struct GuardWords {
    std::string area; // "scoring", "saving the run": prefixes the other messages
    ErrorCode outOfMemory = ErrorCode::Internal;
    std::string outOfMemoryText{}; // full message for std::bad_alloc ("" = "<area>: out of memory")
    bool prefixEngineErrors = false; // "<area>: <detail>" for EngineError too
    std::string otherPrefix{};       // prefix of other exceptions' what() ("" = "<area>: ")
};

// The value of `r`, or throws its error as an EngineError.
template <class T> T unwrap(Result<T> r)
{
    if (!r)
        throw EngineError{r.error()};
    return std::move(r.value());
}

inline void unwrap(Result<void> r)
{
    if (!r)
        throw EngineError{r.error()};
}

template <typename T> struct IsResult : std::false_type {
};
template <typename T> struct IsResult<Result<T>> : std::true_type {
};

// The engine's one guard (design.md rule 8: exceptions inside, Results at the edge): runs `f`
// (returning T or Result<T>) and turns what it throws into an Error: EngineError keeps its code,
// cancellation is Cancelled, out of memory the area's code; `other` may map a library's exception
// (libtorch's c10::Error) to an Error before the rest become Internal with their what().
template <typename F, typename Other> auto guard(const GuardWords &w, F &&f, Other &&other)
{
    using R = std::invoke_result_t<F>;
    using Out = std::conditional_t<IsResult<R>::value, R, Result<R>>;
    try {
        if constexpr (std::is_void_v<R>) {
            f();
            return Out{};
        } else {
            return Out(f());
        }
    } catch (const EngineError &e) {
        return Out(Error{e.code, w.prefixEngineErrors ? w.area + ": " + e.detail : e.detail});
    } catch (const CancelledException &) {
        return Out(Error{ErrorCode::Cancelled, w.area + " was cancelled"});
    } catch (const std::bad_alloc &) {
        return Out(Error{w.outOfMemory, w.outOfMemoryText.empty() ? w.area + ": out of memory"
                                                                  : w.outOfMemoryText});
    } catch (const std::exception &e) {
        if (std::optional<Error> mapped = other(e))
            return Out(std::move(*mapped));
        return Out(Error{ErrorCode::Internal,
                         (w.otherPrefix.empty() ? w.area + ": " : w.otherPrefix) + e.what()});
    }
}

// guard() without a library mapping.
template <typename F> auto guard(const GuardWords &w, F &&f)
{
    return guard(w, std::forward<F>(f),
                 [](const std::exception &) { return std::optional<Error>(); });
}

} // namespace terse::detail

namespace terse {

// Decimal text of a size computed in 128 bits (loaders multiply untrusted dimensions without
// overflow).
inline std::string toDecimal(unsigned __int128 v)
{
    std::string out;
    do {
        out.insert(out.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
        v /= 10;
    } while (v != 0);
    return out;
}

} // namespace terse
