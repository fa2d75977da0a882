// `terse score`: per-token surprisal, entropy and attention aggregates of a model over token ids.
#include "cli.h"

#include "terse/model.h"
#include "terse/runtime.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

namespace terse::cli {

namespace {

// "1,2, 3" or whitespace-separated ids; an error names the offending entry.
Result<std::vector<int>> parseIds(const std::string &text, const std::string &where)
{
    std::vector<int> ids;
    std::string item;
    std::size_t index = 0;
    auto flush = [&]() -> Result<void> {
        if (item.empty())
            return {};
        ++index;
        char *end = nullptr;
        const long v = std::strtol(item.c_str(), &end, 10);
        if (*end != '\0' || v < 0 || v > (1L << 30))
            return fail(ErrorCode::InvalidInput, where + ": entry " + std::to_string(index) + " '" + item +
                                                     "' is not a token id");
        ids.push_back(static_cast<int>(v));
        item.clear();
        return {};
    };
    for (char c : text) {
        if (c == ',' || std::isspace(static_cast<unsigned char>(c))) {
            if (auto r = flush(); !r)
                return r.error();
        } else {
            item += c;
        }
    }
    if (auto r = flush(); !r)
        return r.error();
    if (ids.empty())
        return fail(ErrorCode::InvalidInput, where + " holds no token ids");
    return ids;
}

bool looksLikeIds(const std::string &text)
{
    for (char c : text)
        if (!std::isdigit(static_cast<unsigned char>(c)) && c != ',' && !std::isspace(static_cast<unsigned char>(c)))
            return false;
    return true;
}

nlohmann::json numbers(const std::vector<float> &v)
{
    nlohmann::json a = nlohmann::json::array();
    for (float f : v)
        a.push_back(std::isfinite(f) ? nlohmann::json(f) : nlohmann::json(nullptr));
    return a;
}

// Mean over layers of a [layers][n] aggregate, per key.
std::vector<float> layerMean(const std::vector<float> &v, int layers, std::size_t n)
{
    std::vector<float> out(n, 0.0f);
    if (v.size() != static_cast<std::size_t>(layers) * n || layers == 0)
        return out;
    for (int l = 0; l < layers; ++l)
        for (std::size_t k = 0; k < n; ++k)
            out[k] += v[l * n + k] / static_cast<float>(layers);
    return out;
}

void printHelp()
{
    std::printf("usage: terse score --model PATH (--ids 1,2,3 | --text T | FILE) [--json] [--csv] [--logits]\n"
                "                   [--top-k K] [--dtype fp32|bf16] [--threads N]\n"
                "Scores every token with a model: surprisal (-log p of the token given the ones before it,\n"
                "nats; '-' for the first token), entropy of the prediction made at the token, and attention\n"
                "aggregates averaged over layers (received: column sum; mean: column sum per query that can\n"
                "see the token; last: attention from the last token). Encoders print class probabilities.\n"
                "  --model PATH   model folder (config.json + model.safetensors), .safetensors, .gguf or\n"
                "                 llama2.c .bin; pickle checkpoints (.bin/.pt/.pth) are refused\n"
                "  --ids LIST     token ids separated by commas or spaces; FILE may hold such a list too\n"
                "  --text T       text to tokenise (needs the model's tokenizer; not available for llama2.c)\n"
                "  --json         the whole result as JSON (model info, per-token arrays, aggregates)\n"
                "  --csv          one CSV row per token\n"
                "  --logits       include raw logits in the JSON output\n"
                "  --top-k K      alternatives per position (JSON and table), default 0\n");
}

}  // namespace

int runScore(int argc, char **argv)
{
    auto args = parseArgs(argc, argv, 2, {"--model", "--ids", "--text", "--top-k", "--dtype", "--threads"},
                          {"--json", "--csv", "--logits", "--help"});
    if (!args)
        return reportError(args.error().detail + " (see terse score --help)", kExitUsage);
    if (args->has("--help")) {
        printHelp();
        return kExitOk;
    }
    if (!args->has("--model"))
        return reportError("score needs --model PATH (see terse score --help)", kExitUsage);
    const int sources = args->has("--ids") + args->has("--text") + (args->positionals.empty() ? 0 : 1);
    if (sources != 1 || args->positionals.size() > 1)
        return reportError("give exactly one of --ids LIST, --text T or one FILE", kExitUsage);
    if (args->has("--json") && args->has("--csv"))
        return reportError("--json and --csv exclude each other", kExitUsage);
    int topK = 0;
    if (args->has("--top-k")) {
        auto k = parseLong("--top-k", args->get("--top-k"), 0, 100);
        if (!k)
            return reportError(k.error().detail, kExitUsage);
        topK = static_cast<int>(*k);
    }
    ModelLoadOptions opts;
    const std::string dtype = args->get("--dtype", "fp32");
    if (dtype == "bf16" || dtype == "bfloat16")
        opts.dtype = ComputeDtype::BFloat16;
    else if (dtype != "fp32" && dtype != "float32")
        return reportError("--dtype must be fp32 or bf16 (got '" + dtype + "')", kExitUsage);
    if (args->has("--threads")) {
        auto t = parseLong("--threads", args->get("--threads"), 1, 1024);
        if (!t)
            return reportError(t.error().detail, kExitUsage);
        opts.threads = static_cast<int>(*t);
    }

    const std::string modelPath = args->get("--model");
    std::string idText, where;
    if (args->has("--ids")) {
        idText = args->get("--ids");
        where = "--ids";
    } else {
        std::string text;
        if (args->has("--text")) {
            text = args->get("--text");
        } else {
            auto in = readInput(args->positionals[0]);
            if (!in)
                return reportError(in.error().detail, exitCodeFor(in.error()));
            text = std::move(*in);
            where = "'" + args->positionals[0] + "'";
        }
        if (!args->has("--text") && looksLikeIds(text)) {
            idText = text;
        } else {
            const std::string why = std::filesystem::path(modelPath).extension() == ".bin"
                                        ? "llama2.c checkpoints carry no tokenizer"
                                        : "this build cannot tokenise text for scoring yet";
            return reportError("cannot score text with '" + modelPath + "': " + why +
                                   "; pass token ids with --ids 1,2,3 (or a FILE holding ids)",
                               kExitInput);
        }
    }
    auto ids = parseIds(idText, where);
    if (!ids)
        return reportError(ids.error().detail, kExitInput);

    initRuntime(opts.threads);
    auto model = Model::load(modelPath, opts);
    if (!model)
        return reportError(model.error().detail, exitCodeFor(model.error()));
    const ModelInfo &info = model->info();
    const bool lm = info.kind == ModelKind::CausalLM;
    ScoreRequest req;
    req.topK = lm ? topK : 0;
    req.wantLayerColumnSums = true;
    req.wantCausalColumnMeans = true;
    req.wantLastQueryRow = true;
    req.wantLogits = args->has("--logits");
    auto result = model->score({*ids}, req);
    if (!result)
        return reportError(result.error().detail, exitCodeFor(result.error()));
    const SequenceScores &s = result->sequences[0];
    const std::size_t n = s.ids.size();
    const auto received = layerMean(s.layerColumnSums, result->layers, n);
    const auto mean = layerMean(s.causalColumnMeans, result->layers, n);
    const auto last = layerMean(s.lastQueryRow, result->layers, n);

    if (args->has("--json")) {
        nlohmann::json j;
        j["model"] = {{"path", info.path},           {"architecture", info.architecture},
                      {"format", info.format},       {"parameters", info.parameters},
                      {"layers", info.layers},       {"heads", info.heads},
                      {"vocab_size", info.vocabSize}, {"max_positions", info.maxPositions},
                      {"dtype", info.dtype}};
        j["ids"] = s.ids;
        j["alignment"] = "surprisal[t] = -log p(ids[t] | ids[<t]); entropy[t], top_k[t] and logits[t] describe "
                         "the prediction made at t (of token t+1)";
        if (lm) {
            j["surprisal"] = numbers(s.surprisal);
            j["next_token_logprob"] = numbers(s.nextTokenLogprob);
        } else {
            j["class_probs"] = numbers(s.classProbs);
            j["num_labels"] = info.numLabels;
        }
        j["entropy"] = numbers(s.entropy);
        if (topK > 0 && lm) {
            nlohmann::json rows = nlohmann::json::array();
            for (std::size_t t = 0; t < n; ++t) {
                nlohmann::json row = nlohmann::json::array();
                for (int k = 0; k < topK && t * topK + k < s.topK.size(); ++k)
                    row.push_back({{"id", s.topK[t * topK + k].id}, {"logprob", s.topK[t * topK + k].logprob}});
                rows.push_back(row);
            }
            j["top_k"] = rows;
        }
        j["attention"] = {{"layer_column_sums", numbers(s.layerColumnSums)},
                          {"causal_column_means", numbers(s.causalColumnMeans)},
                          {"last_query_row", numbers(s.lastQueryRow)},
                          {"layers", result->layers}};
        if (req.wantLogits)
            j["logits"] = numbers(s.logits);
        j["windows"] = result->windows;
        j["seconds"] = result->seconds;
        std::cout << j.dump() << "\n";
        return kExitOk;
    }
    const bool csv = args->has("--csv");
    auto fmt = [](float v) {
        if (!std::isfinite(v))
            return std::string("-");
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.4f", v);
        return std::string(buf);
    };
    std::ostringstream out;
    if (csv) {
        out << "position,id," << (lm ? "surprisal," : "") << "entropy,attn_received,attn_mean,attn_last";
        for (int l = 0; !lm && l < info.numLabels; ++l)
            out << ",p_label" << l;
        out << "\n";
    } else {
        std::printf("%s (%s, %d layers), %zu tokens, %d window(s), %.3f s\n", info.architecture.c_str(),
                    info.format.c_str(), info.layers, n, result->windows, result->seconds);
        out << "  pos      id " << (lm ? " surprisal" : "") << "   entropy  received      mean      last"
            << (lm && topK > 0 ? "  top-k" : "") << "\n";
    }
    for (std::size_t t = 0; t < n; ++t) {
        if (csv) {
            out << t << "," << s.ids[t] << ",";
            if (lm)
                out << (std::isfinite(s.surprisal[t]) ? fmt(s.surprisal[t]) : "") << ",";
            out << fmt(s.entropy[t]) << "," << fmt(received[t]) << "," << fmt(mean[t]) << "," << fmt(last[t]);
            for (int l = 0; !lm && l < info.numLabels; ++l)
                out << "," << fmt(s.classProbs[t * info.numLabels + l]);
            out << "\n";
            continue;
        }
        char line[160];
        std::snprintf(line, sizeof line, "%5zu %7d ", t, s.ids[t]);
        out << line;
        auto col = [&](float v) {
            const std::string f = fmt(v);
            out << std::string(f.size() < 10 ? 10 - f.size() : 0, ' ') << f;
        };
        if (lm)
            col(s.surprisal[t]);
        col(s.entropy[t]);
        col(received[t]);
        col(mean[t]);
        col(last[t]);
        if (lm && topK > 0) {
            out << " ";
            for (int k = 0; k < topK; ++k)
                out << " " << s.topK[t * topK + k].id << ":" << fmt(s.topK[t * topK + k].logprob);
        }
        for (int l = 0; !lm && l < info.numLabels; ++l)
            out << "  p" << l << "=" << fmt(s.classProbs[t * info.numLabels + l]);
        out << "\n";
    }
    std::cout << out.str();
    return kExitOk;
}

}  // namespace terse::cli
