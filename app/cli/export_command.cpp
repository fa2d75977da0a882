// `terse export`: a causal LM as one GGUF file (terse/weights.h exportGguf), for llama.cpp or to
// carry a model in a quarter of its fp32 size.
#include "cli.h"
#include "command_line.h"

#include "terse/weights.h"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace terse::cli {

int runExport(int argc, char **argv)
{
    CLI::App app("Writes a Llama-family causal LM (llama, mistral, qwen2: a model folder, "
                 ".safetensors,\n.gguf or llama2.c checkpoint) as one GGUF file with its tokenizer "
                 "inside, for llama.cpp\nand for Terse (which reads the tokenizer from the file). "
                 "Matrices are stored as --type,\nnorms in F32.",
                 "terse export");
    configureApp(app);
    GgufExportOptions o;
    bool noTokenizer = false, json = false;
    app.add_option("model", o.model, "the model")->type_name("MODEL")->required();
    app.add_option("--out", o.out, "the .gguf file to write")->type_name("FILE")->required();
    app.add_option("--type", o.type, "how matrices are stored (q8_0: 8.5 bits per weight)")
        ->type_name("TYPE")
        ->check(CLI::IsMember({"q8_0", "bf16", "f16", "f32"}))
        ->capture_default_str();
    app.add_option("--tokenizer", o.tokenizer,
                   "the tokenizer to write in (default: the model's own): a byte-level BPE "
                   "tokenizer.json, a llama2.c tokenizer.bin or a .gguf")
        ->type_name("PATH");
    app.add_flag("--no-tokenizer", noTokenizer,
                 "write no tokenizer (Terse then needs tokenizer.json beside the file)")
        ->excludes("--tokenizer");
    app.add_option("--name", o.name, "general.name (default: the model's folder name)")
        ->type_name("NAME");
    app.add_flag("--json", json, "machine-readable output");
    if (auto rc = parseCommandLine(app, argc, argv, 2))
        return *rc;
    o.withTokenizer = !noTokenizer;
    auto r = exportGguf(o);
    if (!r)
        return reportError(r.error().detail, exitCodeFor(r.error()));
    std::string types;
    for (const auto &[type, n] : r->tensorsByType)
        types += (types.empty() ? "" : ", ") + std::to_string(n) + " " + type;
    if (json) {
        nlohmann::json j = {{"out", r->out},
                            {"bytes", r->bytes},
                            {"parameters", r->parameters},
                            {"architecture", r->architecture},
                            {"tensors", r->tensors},
                            {"tensors_by_type", r->tensorsByType},
                            {"tokenizer_model", r->tokenizerModel},
                            {"tokenizer_pre", r->tokenizerPre},
                            {"notes", r->notes},
                            {"seconds", r->seconds}};
        std::printf("%s\n", j.dump().c_str());
        return kExitOk;
    }
    for (const auto &note : r->notes)
        std::fprintf(stderr, "terse: note: %s\n", note.c_str());
    std::printf(
        "wrote %s: %s, %lld parameters in %d tensors (%s), %.1f MB, tokenizer %s; %.1f s\n",
        r->out.c_str(), r->architecture.c_str(), static_cast<long long>(r->parameters), r->tensors,
        types.c_str(), static_cast<double>(r->bytes) / 1e6,
        r->tokenizerModel.empty()
            ? "not included"
            : (r->tokenizerModel + (r->tokenizerPre.empty() ? "" : " (" + r->tokenizerPre + ")"))
                  .c_str(),
        r->seconds);
    return kExitOk;
}

} // namespace terse::cli
