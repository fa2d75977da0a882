#pragma once
// Base64 (RFC 4648, the standard alphabet): the one implementation for the session exports,
// tiktoken rank files and the precompiled charsmap of tokenizer.json (issue 19: there were three).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace terse::detail {

std::string base64Encode(std::string_view bytes);

// Decodes `text`; line breaks are skipped, and '=' padding ends the data (only '=' may follow it).
// The bytes, or nullopt with *badAt set to the offset of the first character that is not base64 (or
// of a truncated group).
std::optional<std::string> base64Decode(std::string_view text, std::size_t *badAt = nullptr);

} // namespace terse::detail
