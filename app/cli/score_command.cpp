// `terse score`: per-token surprisal, entropy and attention aggregates of a model over token ids or
// text, for one sequence or a JSONL batch.
#include "cli.h"
#include "command_line.h"
#include "jsonl_batch.h"
#include "progress_bar.h"

#include "terse/model.h"
#include "terse/runtime.h"
#include "terse/text_units.h"
#include "terse/tokenizer.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <limits>
#include <optional>
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
            return fail(ErrorCode::InvalidInput, where + ": entry " + std::to_string(index) + " '" +
                                                     item + "' is not a token id");
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
        if (!std::isdigit(static_cast<unsigned char>(c)) && c != ',' &&
            !std::isspace(static_cast<unsigned char>(c)))
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

// The mean over layers of per-layer rows of n values; NaN (printed '-') when they were not
// computed (--no-attention).
std::vector<float> layerMean(const std::vector<float> &v, int layers, std::size_t n)
{
    if (v.size() != static_cast<std::size_t>(layers) * n || layers == 0)
        return std::vector<float>(n, std::numeric_limits<float>::quiet_NaN());
    std::vector<float> out(n, 0.0f);
    for (int l = 0; l < layers; ++l)
        for (std::size_t k = 0; k < n; ++k)
            out[k] += v[l * n + k] / static_cast<float>(layers);
    return out;
}

// The command line of `terse score`, bound by CLI11 (declareOptions).
struct ScoreArgs {
    std::string model, ids, text, file;
    std::string dtype = "fp32";
    std::string device = "cpu";
    int topK = 0;
    int threads = 0;
    bool json = false, csv = false, logits = false, jsonl = false, skipErrors = false,
         quiet = false, noAttention = false;
    CLI::Option *idsOpt = nullptr, *textOpt = nullptr, *fileOpt = nullptr;
};

void declareOptions(CLI::App &app, ScoreArgs &a)
{
    app.description(
        "Scores every token with a model: surprisal (-log p of the token given the ones before "
        "it,\nnats; '-' for the first token), entropy of the prediction made at the token, and "
        "attention\naggregates averaged over layers (received: column sum; mean: column sum per "
        "query that can\nsee the token; last: attention from the last token). Encoders print "
        "class probabilities.\nThe tokens come from exactly one of --ids, --text, FILE or a JSONL "
        "batch.");
    configureApp(
        app,
        "Batches (--jsonl, automatic for FILE.jsonl): one JSON object per line: {\"prompt\": "
        "\"...\"},\n  a structured prompt {\"instruction\", \"contexts\", \"question\"} (scored "
        "joined) or\n  {\"ids\": [1, 2, 3]}, each with an optional \"id\". Output: one JSON object "
        "per line (id, line,\n  tokens, mean_surprisal, perplexity, mean_entropy; with --json the "
        "whole result). Bad lines\n  stop the batch (exit 3) unless --skip-errors (exit 5 when "
        "lines were skipped).");
    a.fileOpt = app.add_option("FILE", a.file,
                               "text or a list of token ids, or a JSONL batch (- with --jsonl: "
                               "standard input)");
    app.add_option("--model", a.model,
                   "model folder (config.json + model.safetensors), .safetensors, .gguf or "
                   "llama2.c .bin; pickle checkpoints (.bin/.pt/.pth) are refused")
        ->type_name("PATH")
        ->required();
    a.idsOpt = app.add_option("--ids", a.ids,
                              "token ids separated by commas or spaces; FILE may hold such a list "
                              "too")
                   ->type_name("LIST");
    a.textOpt = app.add_option("--text", a.text,
                               "text to tokenise with the model's tokenizer (tokenizer.json, "
                               "vocab.json + merges.txt, tokenizer.model or vocab.txt in the "
                               "model folder)")
                    ->type_name("T")
                    ->excludes(a.idsOpt)
                    ->excludes(a.fileOpt);
    a.idsOpt->excludes(a.fileOpt);
    auto *json = app.add_flag("--json", a.json,
                              "the whole result as JSON (model info, per-token arrays, "
                              "aggregates)");
    app.add_flag("--csv", a.csv, "one CSV row per token (one sequence only)")->excludes(json);
    app.add_flag("--logits", a.logits, "include raw logits in the JSON output");
    app.add_flag("--no-attention", a.noAttention,
                 "surprisal and entropy only, no attention aggregates (JSON \"attention\": null, "
                 "'-' in the table and CSV): the forward runs the fused attention kernel, several "
                 "times faster on long inputs; a JSONL batch without --json never computes them");
    app.add_option("--top-k", a.topK, "alternatives per position (JSON and table)")
        ->type_name("K")
        ->transform(integerIn(0, 100))
        ->capture_default_str();
    app.add_option("--dtype", a.dtype,
                   "fp32, bf16, or auto (bf16 on a CPU with native bf16, as compress)")
        ->type_name("DTYPE")
        ->check(CLI::IsMember({"auto", "fp32", "bf16"}))
        ->capture_default_str();
    addThreadsOption(app, a.threads);
    addDeviceOption(app, a.device);
    app.add_flag("--jsonl", a.jsonl, "read a JSONL batch (automatic for FILE.jsonl)");
    app.add_flag("--skip-errors", a.skipErrors,
                 "a batch reports bad lines and goes on (exit 5 when lines were skipped)");
    app.add_flag("--quiet", a.quiet, "no progress bar on standard error");
}

Result<std::vector<int>> tokenizeText(const Tokenizer &tok, const std::string &text)
{
    EncodeOptions eo;
    eo.addSpecial = true; // BOS where the tokenizer adds one, so the first real token has a context
    auto ids = tok.encodeIds(text, eo);
    if (!ids)
        return ids.error();
    if (ids->empty())
        return fail(ErrorCode::InvalidInput, "the text gives no tokens");
    return std::vector<int>(ids->begin(), ids->end());
}

nlohmann::json modelJson(const ModelInfo &info)
{
    return {{"path", info.path},
            {"architecture", info.architecture},
            {"format", info.format},
            {"parameters", info.parameters},
            {"layers", info.layers},
            {"heads", info.heads},
            {"vocab_size", info.vocabSize},
            {"max_positions", info.maxPositions},
            {"dtype", info.dtype},
            {"device", info.device}};
}

// The whole result of one sequence as JSON (terse score --json).
nlohmann::json fullJson(const ModelInfo &info, const ScoreResult &result, int topK, bool logits)
{
    const bool lm = info.kind == ModelKind::CausalLM;
    const SequenceScores &s = result.sequences[0];
    const std::size_t n = s.ids.size();
    nlohmann::json j;
    j["model"] = modelJson(info);
    j["ids"] = s.ids;
    j["alignment"] =
        "surprisal[t] = -log p(ids[t] | ids[<t]); entropy[t], top_k[t] and logits[t] describe "
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
                row.push_back(
                    {{"id", s.topK[t * topK + k].id}, {"logprob", s.topK[t * topK + k].logprob}});
            rows.push_back(row);
        }
        j["top_k"] = rows;
    }
    if (s.layerColumnSums.empty() && s.causalColumnMeans.empty() && s.lastQueryRow.empty())
        j["attention"] = nullptr; // --no-attention
    else
        j["attention"] = {{"layer_column_sums", numbers(s.layerColumnSums)},
                          {"causal_column_means", numbers(s.causalColumnMeans)},
                          {"attention_lift", numbers(s.attentionLift)},
                          {"last_query_row", numbers(s.lastQueryRow)},
                          {"layers", result.layers}};
    if (logits)
        j["logits"] = numbers(s.logits);
    j["windows"] = result.windows;
    j["seconds"] = result.seconds;
    // How the process ran: intra-op threads, OpenMP's wait policy and spin (PASSIVE and ~1 ms
    // unless the user set them) and the allocator.
    const char *wait = std::getenv("OMP_WAIT_POLICY");
    const char *spin = std::getenv("GOMP_SPINCOUNT");
    j["runtime"] = {{"threads", runtimeThreads()},
                    {"omp_wait_policy", wait ? wait : ""},
                    {"gomp_spincount", spin ? spin : ""},
                    {"allocator", allocatorName()}};
    return j;
}

double finiteMean(const std::vector<float> &v)
{
    double sum = 0;
    long n = 0;
    for (float f : v)
        if (std::isfinite(f)) {
            sum += f;
            ++n;
        }
    return n ? sum / static_cast<double>(n) : std::nan("");
}

nlohmann::ordered_json orderedNumber(double v)
{
    return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
}

int runScoreBatch(const ScoreArgs &a, const std::string &path, const Model &model,
                  const ScoreRequest &req, int topK)
{
    auto text = readInput(path);
    if (!text)
        return reportError(text.error().detail, exitCodeFor(text.error()));
    auto lines = parseJsonlBatch(*text, path == "-" ? "standard input" : "'" + path + "'", true);
    if (!lines)
        return reportError(lines.error().detail, exitCodeFor(lines.error()));
    const bool skip = a.skipErrors;
    bool needTokenizer = false;
    for (const auto &l : *lines) {
        if (!skip && !l.error.empty())
            return reportError(lineMessage(l.line, l.error), kExitInput);
        needTokenizer |= l.error.empty() && l.ids.empty();
    }
    std::optional<Tokenizer> tok;
    if (needTokenizer) {
        auto t = Tokenizer::forModel(a.model);
        if (!t)
            return reportError(t.error().detail, exitCodeFor(t.error()));
        tok = std::move(*t);
    }
    const ModelInfo &info = model.info();
    const bool lm = info.kind == ModelKind::CausalLM;
    ProgressBar bar(static_cast<long>(lines->size()), "prompts", !a.quiet);
    long done = 0, skipped = 0;
    for (const auto &l : *lines) {
        std::string error = l.error;
        std::vector<int> ids = l.ids;
        if (error.empty() && ids.empty()) {
            auto t = tokenizeText(*tok, l.prompt.joined());
            if (t)
                ids = std::move(*t);
            else
                error = t.error().detail;
        }
        std::optional<ScoreResult> result;
        ErrorCode code = ErrorCode::InvalidInput;
        if (error.empty()) {
            auto r = model.score({ids}, req);
            if (r)
                result = std::move(*r);
            else {
                error = r.error().detail;
                code = r.error().code;
            }
        }
        nlohmann::ordered_json o;
        o["id"] = nlohmann::ordered_json::parse(l.idJson);
        o["line"] = l.line;
        if (!error.empty()) {
            if (!skip) {
                bar.finish();
                // A line the model rejects (ids outside its vocabulary) is unusable input, not a
                // bad command line.
                return reportError(lineMessage(l.line, error),
                                   code == ErrorCode::InvalidArgument
                                       ? kExitInput
                                       : exitCodeFor(Error{code, error}));
            }
            bar.message("terse: " + lineMessage(l.line, error) + " (skipped)");
            o["error"] = error;
            ++skipped;
        } else if (a.json) {
            const auto full = nlohmann::ordered_json::parse(
                fullJson(info, *result, topK, req.wantLogits)
                    .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
            for (const auto &[key, value] : full.items())
                o[key] = value;
        } else {
            const SequenceScores &s = result->sequences[0];
            o["tokens"] = s.ids.size();
            if (lm) {
                const double ms = finiteMean(s.surprisal);
                o["mean_surprisal"] = orderedNumber(ms);
                o["perplexity"] = orderedNumber(std::exp(ms));
            }
            o["mean_entropy"] = orderedNumber(finiteMean(s.entropy));
            o["windows"] = result->windows;
            o["seconds"] = result->seconds;
        }
        std::cout << o.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n"
                  << std::flush;
        bar.update(++done);
    }
    bar.finish();
    return batchExitCode(skipped, lines->size());
}

} // namespace

int runScore(int argc, char **argv)
{
    CLI::App app("", "terse score");
    ScoreArgs a;
    declareOptions(app, a);
    if (auto rc = parseCommandLine(app, argc, argv, 2))
        return *rc;
    const bool batch = isJsonlInput(a.file, a.jsonl);
    const bool hasIds = a.idsOpt->count() > 0, hasText = a.textOpt->count() > 0;
    if (batch) {
        if (hasIds || hasText)
            return reportError(
                "a JSONL batch reads one FILE (or standard input); --ids and --text do not apply",
                kExitUsage);
        if (a.csv)
            return reportError("--csv applies to one sequence; batches print JSON lines",
                               kExitUsage);
    } else {
        if (!hasIds && !hasText && a.fileOpt->count() == 0)
            return reportError("give one of --ids LIST, --text T, FILE or --jsonl", kExitUsage);
        if (a.skipErrors)
            return reportError("--skip-errors applies to JSONL batches (--jsonl)", kExitUsage);
    }
    ModelLoadOptions opts;
    opts.dtype = *parseDtype(a.dtype); // the parser checked the name
    opts.threads = a.threads;
    opts.device = a.device;
    if (int code = resolveDeviceOption(opts.device); code != kExitOk)
        return code;
    noteEmulatedBf16(a.dtype, opts.device);
    const int topK = a.topK;

    const std::string &modelPath = a.model;
    // Attention aggregates make the forward keep its attention matrices (the blocked attention
    // instead of the fused kernel): only when they are printed.
    const bool attention = !a.noAttention && !(batch && !a.json);
    ScoreRequest req;
    req.wantLayerColumnSums = attention;
    req.wantCausalColumnMeans = attention;
    req.wantAttentionLift = attention;
    req.wantLastQueryRow = attention;
    req.wantLogits = a.logits;
    if (batch) {
        initRuntime(opts.threads);
        auto model = Model::load(modelPath, opts);
        if (!model)
            return reportError(model.error().detail, exitCodeFor(model.error()));
        req.topK = model->info().kind == ModelKind::CausalLM ? topK : 0;
        return runScoreBatch(a, a.file.empty() ? "-" : a.file, *model, req, topK);
    }

    std::string idText, where, text;
    bool fromText = false;
    if (hasIds) {
        idText = a.ids;
        where = "--ids";
    } else {
        if (hasText) {
            text = a.text;
        } else {
            auto in = readInput(a.file);
            if (!in)
                return reportError(in.error().detail, exitCodeFor(in.error()));
            text = std::move(*in);
            where = "'" + a.file + "'";
        }
        if (!hasText && looksLikeIds(text))
            idText = text;
        else
            fromText = true;
    }
    std::vector<int> ids;
    if (fromText) {
        if (auto v = validatePromptText(text); !v)
            return reportError((where.empty() ? std::string("--text") : where) + ": " +
                                   v.error().detail,
                               kExitInput);
        auto tok = Tokenizer::forModel(modelPath);
        if (!tok)
            return reportError(tok.error().detail, exitCodeFor(tok.error()));
        auto t = tokenizeText(*tok, text);
        if (!t)
            return reportError(t.error().detail, exitCodeFor(t.error()));
        ids = std::move(*t);
    } else {
        auto parsed = parseIds(idText, where);
        if (!parsed)
            return reportError(parsed.error().detail, kExitInput);
        ids = std::move(*parsed);
    }

    initRuntime(opts.threads);
    auto model = Model::load(modelPath, opts);
    if (!model)
        return reportError(model.error().detail, exitCodeFor(model.error()));
    const ModelInfo &info = model->info();
    const bool lm = info.kind == ModelKind::CausalLM;
    req.topK = lm ? topK : 0;
    auto result = model->score({ids}, req);
    if (!result)
        return reportError(result.error().detail, exitCodeFor(result.error()));
    const SequenceScores &s = result->sequences[0];
    const std::size_t n = s.ids.size();
    const auto received = layerMean(s.layerColumnSums, result->layers, n);
    const auto mean = layerMean(s.causalColumnMeans, result->layers, n);
    const auto last = layerMean(s.lastQueryRow, result->layers, n);

    if (a.json) {
        std::cout << fullJson(info, *result, topK, req.wantLogits)
                         .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                  << "\n";
        return kExitOk;
    }
    const bool csv = a.csv;
    auto fmt = [](float v) {
        if (!std::isfinite(v))
            return std::string("-");
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.4f", v);
        return std::string(buf);
    };
    std::ostringstream out;
    if (csv) {
        out << "position,id," << (lm ? "surprisal," : "")
            << "entropy,attn_received,attn_mean,attn_last";
        for (int l = 0; !lm && l < info.numLabels; ++l)
            out << ",p_label" << l;
        out << "\n";
    } else {
        std::printf("%s (%s, %d layers), %zu tokens, %d window(s), %.3f s\n",
                    info.architecture.c_str(), info.format.c_str(), info.layers, n, result->windows,
                    result->seconds);
        out << "  pos      id " << (lm ? " surprisal" : "")
            << "   entropy  received      mean      last" << (lm && topK > 0 ? "  top-k" : "")
            << "\n";
    }
    for (std::size_t t = 0; t < n; ++t) {
        if (csv) {
            out << t << "," << s.ids[t] << ",";
            if (lm)
                out << (std::isfinite(s.surprisal[t]) ? fmt(s.surprisal[t]) : "") << ",";
            out << fmt(s.entropy[t]) << "," << fmt(received[t]) << "," << fmt(mean[t]) << ","
                << fmt(last[t]);
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

} // namespace terse::cli
