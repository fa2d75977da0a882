// libFuzzer target: gguf weight files (the input is the whole file, written as model.gguf). See
// fuzz_weights.h. The tokenizer a GGUF carries (tokenizer.ggml.*) is read from the same bytes: it
// loads and encodes, or is refused with an error that is not Internal.
#include "fuzz_weights.h"
#include "terse/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    terse::fuzz::fuzzWeightFile("model.gguf", data, size, /*asModel=*/true);
    const std::string path =
        terse::fuzz::writeScratch("vocab.gguf", {reinterpret_cast<const char *>(data), size});
    auto tok = terse::Tokenizer::load(path);
    if (terse::fuzz::ok(tok, "Tokenizer::load(gguf)"))
        if (auto enc = tok->encode("Hello w\xc3\xb6rld, 14-2=12"); terse::fuzz::ok(enc, "encode"))
            (void)terse::fuzz::ok(tok->decode(enc->ids), "decode");
    std::error_code ec;
    std::filesystem::remove(path, ec);
    return 0;
}
