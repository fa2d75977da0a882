#include "core/base64.h"

#include <array>
#include <cstdint>

namespace terse::detail {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<signed char, 256> decodeTable()
{
    std::array<signed char, 256> t{};
    for (auto &v : t)
        v = -1;
    for (int k = 0; k < 64; ++k)
        t[static_cast<unsigned char>(kAlphabet[k])] = static_cast<signed char>(k);
    return t;
}

} // namespace

std::string base64Encode(std::string_view bytes)
{
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    const auto *b = reinterpret_cast<const unsigned char *>(bytes.data());
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t v = (b[i] << 16) | (b[i + 1] << 8) | b[i + 2];
        out += kAlphabet[v >> 18];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
        out += kAlphabet[v & 63];
    }
    if (const std::size_t rest = bytes.size() - i; rest > 0) {
        const std::uint32_t v = (b[i] << 16) | (rest == 2 ? b[i + 1] << 8 : 0);
        out += kAlphabet[v >> 18];
        out += kAlphabet[(v >> 12) & 63];
        out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::optional<std::string> base64Decode(std::string_view text, std::size_t *badAt)
{
    static constexpr auto kTable = decodeTable();
    std::string out;
    out.reserve(text.size() / 4 * 3);
    std::uint32_t buf = 0;
    int bits = 0, sextets = 0;
    std::size_t i = 0;
    auto bad = [&](std::size_t at) -> std::optional<std::string> {
        if (badAt)
            *badAt = at;
        return std::nullopt;
    };
    for (; i < text.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if (c == '\n' || c == '\r')
            continue;
        if (c == '=')
            break;
        const int v = kTable[c];
        if (v < 0)
            return bad(i);
        buf = (buf << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        ++sextets;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((buf >> bits) & 0xFF));
        }
    }
    if (sextets % 4 == 1)
        return bad(i); // a lone sextet cannot end a group
    for (; i < text.size(); ++i)
        if (text[i] != '=' && text[i] != '\n' && text[i] != '\r')
            return bad(i);
    return out;
}

} // namespace terse::detail
