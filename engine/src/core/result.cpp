#include "terse/result.h"

namespace terse {

const char *errorCodeName(ErrorCode code)
{
    switch (code) {
    case ErrorCode::InvalidArgument:
        return "invalid_argument";
    case ErrorCode::InvalidInput:
        return "invalid_input";
    case ErrorCode::NotFound:
        return "not_found";
    case ErrorCode::IoError:
        return "io_error";
    case ErrorCode::FormatError:
        return "format_error";
    case ErrorCode::Unsupported:
        return "unsupported";
    case ErrorCode::Cancelled:
        return "cancelled";
    case ErrorCode::ModelError:
        return "model_error";
    case ErrorCode::DatabaseError:
        return "database_error";
    case ErrorCode::Internal:
        return "internal";
    }
    return "internal";
}

std::string Error::toString() const
{
    return std::string(errorCodeName(code)) + ": " + detail;
}

} // namespace terse
