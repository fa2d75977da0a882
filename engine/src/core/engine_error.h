#pragma once
// The one exception type inside the engine (design.md rule 8: exceptions inside, Results at the edge; issue 19
// replaced TextError, WeightError, StoreException and LLMLingua's Stop with it). It carries what went wrong as an
// ErrorCode and a message that names the file, field or value; each area's guard turns it into an Error.

#include "terse/result.h"

#include <string>
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
[[noreturn]] inline void raise(ErrorCode code, std::string detail) { throw EngineError(code, std::move(detail)); }

}  // namespace terse::detail
