// libFuzzer target: tokenizer files (Tokenizer::load). The first input byte picks the format, the
// rest is the file: 0 tokenizer.json, 1 vocab.json + merges.txt (split at the first
// "\n--merges--\n"), 2 tokenizer.model (SentencePiece protobuf), 3 vocab.txt (WordPiece), 4
// llama2.c tokenizer.bin, 5 cl100k_base.tiktoken. What loads must encode and decode a fixed text
// without crashing.
#include "fuzz_util.h"
#include "terse/tokenizer.h"

#include <filesystem>

using namespace terse;

namespace {

constexpr std::string_view kSeparator = "\n--merges--\n";

void exercise(const Tokenizer &tok)
{
    static const std::string kText = "Hello w\xc3\xb6rld, 14-2=12 \xe2\x9c\x93 \xf0\x9f\x98\x80 "
                                     "<|endoftext|> [CLS] don't\n\tend";
    for (bool addSpecial : {false, true}) {
        auto ids = tok.encodeIds(kText, EncodeOptions{.addSpecial = addSpecial});
        if (!fuzz::ok(ids, "encodeIds"))
            continue;
        auto text = tok.decode(*ids);
        (void)fuzz::ok(text, "decode");
        (void)fuzz::ok(tok.decode(*ids, true), "decode(skipSpecial)");
    }
    auto enc = tok.encode(kText, true);
    (void)fuzz::ok(enc, "encode");
    // Ids at and around the vocabulary's edges: decode or a clean InvalidArgument.
    const auto n = static_cast<std::int32_t>(tok.vocabSize());
    (void)fuzz::ok(tok.decode({0, n - 1, n, -1}), "decode(edges)");
    (void)tok.idToToken(n);
    (void)tok.tokenToId("\xff");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 1)
        return 0;
    const std::string_view body(reinterpret_cast<const char *>(data) + 1, size - 1);
    namespace fs = std::filesystem;
    std::error_code ec;
    std::string path;
    switch (data[0] % 6) {
    case 0:
        path = fuzz::writeScratch("tokenizer.json", body);
        break;
    case 1: {
        const auto at = body.find(kSeparator);
        const auto vocab = body.substr(0, at);
        const auto merges =
            at == std::string_view::npos ? std::string_view{} : body.substr(at + kSeparator.size());
        fuzz::writeScratch("merges.txt", merges);
        path = fuzz::writeScratch("vocab.json", vocab);
        break;
    }
    case 2:
        path = fuzz::writeScratch("tokenizer.model", body);
        break;
    case 3:
        path = fuzz::writeScratch("vocab.txt", body);
        break;
    case 4:
        path = fuzz::writeScratch("tokenizer.bin", body);
        break;
    default:
        path = fuzz::writeScratch("cl100k_base.tiktoken", body);
        break;
    }
    auto tok = Tokenizer::load(path);
    if (fuzz::ok(tok, "Tokenizer::load"))
        exercise(*tok);
    fs::remove(path, ec);
    return 0;
}
