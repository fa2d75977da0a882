// `terse bench`: runs methods x rates on datasets of the shared data folder and reports fidelity
// (ROUGE, BLEU, token F1, answer retention), rate adherence, time per 1k tokens and peak memory as
// report.json, report.csv, two PNG charts and a table on stdout.
#include "bench_datasets.h"
#include "cli.h"
#include "command_line.h"
#include "method_options.h"
#include "svg_chart.h"
#include "progress_bar.h"

#include "terse/batch.h"
#include "terse/compressor.h"
#include "terse/word_vectors.h"
#include "terse/metrics.h"
#include "terse/resources.h"
#include "terse/runtime.h"
#include "terse/tokenizer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <unistd.h>
#include <cmath>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <sstream>

namespace terse::cli {

namespace {

namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const char *const kWarmupText =
    "The committee met on Tuesday to review the budget for the coming year. After a long "
    "discussion about "
    "travel costs, the members agreed to move the spring meeting to Lisbon and to publish the "
    "minutes within "
    "two weeks. The treasurer will present revised figures at the next session.";

// The command line of `terse bench`, bound by CLI11 (declareOptions).
struct BenchArgs {
    std::vector<std::string> methods; // empty: all registered methods
    std::vector<double> rates = {0.33, 0.5};
    std::vector<std::string> datasets; // empty: all
    std::vector<std::string> params;   // KEY=VALUE method options
    long maxDocs = 20;
    std::string model, tagger;
    std::string wordVectors; // --word-vectors ("" = bundled)
    std::string dataDir = "../shared/data";
    std::string out = "bench-report";
    std::string mode;
    std::uint64_t seed = CompressOptions{}.seed;
    int threads = 0;
    std::string device = "cpu";
    bool quiet = false;
    CLI::Option *methodsOpt = nullptr, *datasetsOpt = nullptr, *modelOpt = nullptr,
                *taggerOpt = nullptr;
};

// Names joined with ", ".
std::string joinNames(const std::vector<std::string> &names)
{
    std::string out;
    for (const auto &n : names)
        out += (out.empty() ? "" : ", ") + n;
    return out;
}

void declareOptions(CLI::App &app, BenchArgs &a)
{
    const std::string datasets = joinNames(benchDatasetNames());
    app.description(
        "Compresses documents of each dataset with each method at each rate and reports, per\n"
        "(dataset, method, rate): requested and achieved rate (cl100k tokens), ROUGE-1/2/L F1 and "
        "BLEU\nof the compressed against the original prompt, token F1 of kept words against the "
        "human\ncompression (sentence_compression), answer retention (gsm8k, leval_nq, "
        "leval_sciqa, nq_multidoc), "
        "milliseconds per 1k\nprompt tokens in model forward passes and in the rest, and the peak "
        "resident memory.\nWrites DIR/report.json, DIR/report.csv, DIR/prompts.jsonl (the prompts "
        "as a "
        "`terse compress`\nbatch), DIR/rate_vs_rougeL.svg and "
        "DIR/time_per_1k.svg and\nprints a summary table.");
    configureApp(app,
                 "A method whose model is missing or unusable is skipped with a message.\n"
                 "Exit codes: 0 ok, 1 nothing could be measured or the report could not be "
                 "written, 2 bad\n  command line, 4 data folder/dataset/method/model not found, 5 "
                 "done but some methods\n  or documents failed");
    a.methodsOpt = app.add_option("--methods", a.methods,
                                  "registered method names, comma-separated (default: all)")
                       ->type_name("LIST")
                       ->delimiter(',');
    app.add_option("--rates", a.rates, "kept fractions, comma-separated")
        ->type_name("LIST")
        ->delimiter(',')
        ->check(numberIn(0.0, 1.0, true))
        ->capture_default_str();
    a.datasetsOpt = app.add_option("--datasets", a.datasets,
                                   "comma-separated, of " + datasets + " (default: all)")
                        ->type_name("LIST")
                        ->delimiter(',');
    app.add_option("--param", a.params,
                   "a method option (repeatable), given to each chosen method that has it; a key "
                   "none of them has is refused")
        ->type_name("KEY=VALUE");
    app.add_option("--max-docs", a.maxDocs, "documents per dataset (0 = all)")
        ->type_name("N")
        ->transform(integerIn(0, 1LL << 30))
        ->capture_default_str();
    a.modelOpt = app.add_option("--model", a.model,
                                "causal LM for the model-based methods (default: the bundled "
                                "terse-lm)")
                     ->type_name("PATH");
    a.taggerOpt = app.add_option("--tagger", a.tagger,
                                 "token classifier for llmlingua2 (default: the bundled "
                                 "terse-tagger)")
                      ->type_name("PATH");
    app.add_option(
           "--word-vectors", a.wordVectors,
           "word vectors that corrected-mode BM25 ranking matches near-synonyms with: none (exact "
           "words only) or a file from `terse train vectors` (default: the bundled "
           "terse-words)")
        ->type_name("PATH|none");
    app.add_option("--data-dir", a.dataDir, "the shared data folder")
        ->type_name("DIR")
        ->capture_default_str();
    app.add_option("--out", a.out, "where the report goes")
        ->type_name("DIR")
        ->capture_default_str();
    addModeOption(app, a.mode);
    addSeedOption(app, a.seed);
    addThreadsOption(app, a.threads);
    addDeviceOption(app, a.device);
    app.add_flag("--quiet", a.quiet, "no progress bar on standard error");
}

// The names of a comma-separated list without blanks around them; empty entries are dropped.
std::vector<std::string> trimmedNames(const std::vector<std::string> &items)
{
    std::vector<std::string> out;
    for (const auto &item : items) {
        const auto b = item.find_first_not_of(' ');
        const auto e = item.find_last_not_of(' ');
        if (b != std::string::npos)
            out.push_back(item.substr(b, e - b + 1));
    }
    return out;
}

// Peak resident set size since the last reset, in MiB. Writing 5 to /proc/self/clear_refs resets
// the kernel's high-water mark (Linux 4.0+), so each cell gets its own peak.
bool resetPeakRss()
{
    std::ofstream f("/proc/self/clear_refs");
    return f && (f << "5").flush();
}

double peakRssMb()
{
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmHWM:", 0) == 0)
            return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
    return kNaN;
}

struct DocMeasure {
    std::string id;
    long tokensIn = 0; // prompt tokens (cl100k, or the method's units without it)
    long tokensOut = 0;
    double achievedRate = kNaN;
    double rouge1 = kNaN, rouge2 = kNaN, rougeL = kNaN, bleu = kNaN;
    double tokenF1 = kNaN;   // sentence compression only
    double retention = kNaN; // QA only
    double forwardMs = 0;
    double wallMs = 0;
    std::string error;
};

struct Cell {
    std::string dataset;
    std::string method;
    double rate = 0;
    std::vector<DocMeasure> docs;
    std::map<std::string, long> warnings; // warning code -> documents
    double peakRssMb = kNaN;

    // Aggregates over the documents that succeeded.
    long ok() const
    {
        return static_cast<long>(
            std::count_if(docs.begin(), docs.end(), [](const auto &d) { return d.error.empty(); }));
    }
    double mean(double DocMeasure::*field) const
    {
        double sum = 0;
        long n = 0;
        for (const auto &d : docs)
            if (d.error.empty() && std::isfinite(d.*field)) {
                sum += d.*field;
                ++n;
            }
        return n ? sum / static_cast<double>(n) : kNaN;
    }
    long tokens() const
    {
        long t = 0;
        for (const auto &d : docs)
            if (d.error.empty())
                t += d.tokensIn;
        return t;
    }
    double forwardPer1k() const
    {
        double ms = 0;
        for (const auto &d : docs)
            if (d.error.empty())
                ms += d.forwardMs;
        return tokens() > 0 ? ms / static_cast<double>(tokens()) * 1000.0 : kNaN;
    }
    double otherPer1k() const
    {
        double ms = 0;
        for (const auto &d : docs)
            if (d.error.empty())
                ms += std::max(0.0, d.wallMs - d.forwardMs);
        return tokens() > 0 ? ms / static_cast<double>(tokens()) * 1000.0 : kNaN;
    }
};

ojson num(double v)
{
    return std::isfinite(v) ? ojson(v) : ojson(nullptr);
}

std::string csvNum(double v)
{
    if (!std::isfinite(v))
        return "";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

std::string cellText(double v, int decimals = 3)
{
    if (!std::isfinite(v))
        return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string csvField(const std::string &s)
{
    if (s.find_first_of(",\"\n") == std::string::npos)
        return s;
    std::string out = "\"";
    for (char c : s)
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

// Which words of segment 0 survive: a word is kept when most of its bytes lie in kept units.
std::vector<bool> keptWords(const CompressionResult &r, const std::vector<Span> &words,
                            std::size_t textSize)
{
    std::vector<std::uint8_t> kept(textSize, 0);
    for (const Unit &u : r.units)
        if (u.segment == 0 && u.kept)
            for (std::size_t b = u.span.begin; b < std::min(u.span.end, textSize); ++b)
                kept[b] = 1;
    std::vector<bool> out;
    out.reserve(words.size());
    for (const Span &w : words) {
        std::size_t n = 0;
        for (std::size_t b = w.begin; b < w.end && b < textSize; ++b)
            n += kept[b];
        out.push_back(2 * n > w.size());
    }
    return out;
}

struct Counter {
    std::shared_ptr<const Tokenizer> tokenizer; // cl100k_base; null: count the method's units
    long count(const std::string &text) const
    {
        if (!tokenizer)
            return -1;
        auto n = tokenizer->countTokens(text);
        return n ? static_cast<long>(*n) : -1;
    }
};

// SIGINT/SIGTERM cancel the running compression; the bench then removes its work folder and exits
// 130.
JobContext *g_benchJob = nullptr;
extern "C" void onBenchSignal(int)
{
    if (g_benchJob)
        g_benchJob->cancel();
}

DocMeasure measure(Compressor &compressor, const BenchDoc &doc, const CompressOptions &options,
                   const Counter &counter, long originalTokens, Cell &cell, const JobContext &job)
{
    DocMeasure m;
    m.id = doc.id;
    const auto t0 = std::chrono::steady_clock::now();
    auto result = compressor.compress(doc.prompt, options, job);
    m.wallMs =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (!result) {
        m.error = result.error().detail;
        return m;
    }
    const CompressionResult &r = *result;
    for (const auto &w : r.warnings)
        ++cell.warnings[w.code];
    m.forwardMs = r.forwardMs;
    const std::string original = doc.prompt.joined();
    const long out = counter.count(r.compressedText);
    if (originalTokens > 0 && out >= 0) {
        m.tokensIn = originalTokens;
        m.tokensOut = out;
        m.achievedRate = static_cast<double>(out) / static_cast<double>(originalTokens);
    } else {
        m.tokensIn = r.tokensIn;
        m.tokensOut = r.tokensOut;
        m.achievedRate = r.achievedRate;
    }
    m.rouge1 = rougeN(r.compressedText, original, 1).f1;
    m.rouge2 = rougeN(r.compressedText, original, 2).f1;
    m.rougeL = rougeL(r.compressedText, original).f1;
    m.bleu = bleu(r.compressedText, original);
    if (!doc.goldKeep.empty() && !doc.prompt.segments.empty())
        m.tokenF1 =
            keepF1(keptWords(r, doc.words, doc.prompt.segments[0].text.size()), doc.goldKeep).f1;
    if (!doc.answerSets.empty()) {
        long kept = 0;
        for (const auto &set : doc.answerSets)
            kept += answerRetained(r.compressedText, set) ? 1 : 0;
        m.retention = static_cast<double>(kept) / static_cast<double>(doc.answerSets.size());
    }
    return m;
}

ojson cellJson(const Cell &c, bool perDoc)
{
    ojson o;
    o["dataset"] = c.dataset;
    o["method"] = c.method;
    o["requested_rate"] = c.rate;
    o["docs"] = c.ok();
    o["errors"] = static_cast<long>(c.docs.size()) - c.ok();
    o["achieved_rate"] = num(c.mean(&DocMeasure::achievedRate));
    o["rouge1"] = num(c.mean(&DocMeasure::rouge1));
    o["rouge2"] = num(c.mean(&DocMeasure::rouge2));
    o["rougeL"] = num(c.mean(&DocMeasure::rougeL));
    o["bleu"] = num(c.mean(&DocMeasure::bleu));
    o["token_f1"] = num(c.mean(&DocMeasure::tokenF1));
    o["answer_retention"] = num(c.mean(&DocMeasure::retention));
    o["tokens"] = c.tokens();
    o["forward_ms_per_1k"] = num(c.forwardPer1k());
    o["other_ms_per_1k"] = num(c.otherPer1k());
    o["peak_rss_mb"] = num(c.peakRssMb);
    o["warnings"] = ojson::object();
    for (const auto &[code, n] : c.warnings)
        o["warnings"][code] = n;
    if (perDoc) {
        ojson docs = ojson::array();
        for (const auto &d : c.docs) {
            ojson j;
            j["id"] = d.id;
            if (!d.error.empty()) {
                j["error"] = d.error;
            } else {
                j["tokens_in"] = d.tokensIn;
                j["tokens_out"] = d.tokensOut;
                j["achieved_rate"] = num(d.achievedRate);
                j["rouge1"] = num(d.rouge1);
                j["rouge2"] = num(d.rouge2);
                j["rougeL"] = num(d.rougeL);
                j["bleu"] = num(d.bleu);
                j["token_f1"] = num(d.tokenF1);
                j["answer_retention"] = num(d.retention);
                j["forward_ms"] = d.forwardMs;
                j["wall_ms"] = d.wallMs;
            }
            docs.push_back(j);
        }
        o["per_doc"] = docs;
    }
    return o;
}

const char *kCsvHeader =
    "dataset,method,requested_rate,achieved_rate,docs,errors,rouge1,rouge2,rougeL,bleu,token_f1,"
    "answer_retention,tokens,forward_ms_per_1k,other_ms_per_1k,peak_rss_mb\n";

std::string csvRow(const Cell &c)
{
    std::ostringstream s;
    s << csvField(c.dataset) << "," << csvField(c.method) << "," << csvNum(c.rate) << ","
      << csvNum(c.mean(&DocMeasure::achievedRate)) << "," << c.ok() << ","
      << (static_cast<long>(c.docs.size()) - c.ok()) << "," << csvNum(c.mean(&DocMeasure::rouge1))
      << "," << csvNum(c.mean(&DocMeasure::rouge2)) << "," << csvNum(c.mean(&DocMeasure::rougeL))
      << "," << csvNum(c.mean(&DocMeasure::bleu)) << "," << csvNum(c.mean(&DocMeasure::tokenF1))
      << "," << csvNum(c.mean(&DocMeasure::retention)) << "," << c.tokens() << ","
      << csvNum(c.forwardPer1k()) << "," << csvNum(c.otherPer1k()) << "," << csvNum(c.peakRssMb)
      << "\n";
    return s.str();
}

void printTable(const std::vector<Cell> &cells)
{
    std::size_t dw = 7, mw = 6;
    for (const auto &c : cells) {
        dw = std::max(dw, c.dataset.size());
        mw = std::max(mw, c.method.size());
    }
    std::printf("%-*s  %-*s  %5s  %8s  %5s  %5s  %5s  %5s  %5s  %6s  %9s  %9s  %7s  %4s\n",
                static_cast<int>(dw), "dataset", static_cast<int>(mw), "method", "rate", "achieved",
                "R-1", "R-2", "R-L", "BLEU", "tokF1", "retain", "fwd ms/1k", "rest ms/1k",
                "peak MB", "docs");
    for (const auto &c : cells) {
        std::printf("%-*s  %-*s  %5.2f  %8s  %5s  %5s  %5s  %5s  %5s  %6s  %9s  %9s  %7s  %4ld%s\n",
                    static_cast<int>(dw), c.dataset.c_str(), static_cast<int>(mw), c.method.c_str(),
                    c.rate, cellText(c.mean(&DocMeasure::achievedRate)).c_str(),
                    cellText(c.mean(&DocMeasure::rouge1)).c_str(),
                    cellText(c.mean(&DocMeasure::rouge2)).c_str(),
                    cellText(c.mean(&DocMeasure::rougeL)).c_str(),
                    cellText(c.mean(&DocMeasure::bleu)).c_str(),
                    cellText(c.mean(&DocMeasure::tokenF1)).c_str(),
                    cellText(c.mean(&DocMeasure::retention)).c_str(),
                    cellText(c.forwardPer1k(), 1).c_str(), cellText(c.otherPer1k(), 1).c_str(),
                    cellText(c.peakRssMb, 0).c_str(), c.ok(),
                    c.ok() < static_cast<long>(c.docs.size()) ? " (errors)" : "");
    }
}

// The two charts: achieved rate vs ROUGE-L per method (means over datasets at each requested rate)
// and time per 1k tokens per method (forward and the rest, over every cell of the method).
bool writeCharts(const std::vector<Cell> &cells, const std::vector<std::string> &methods,
                 const std::vector<double> &rates, const fs::path &out, std::string &error)
{
    LineChart line;
    line.title = "Achieved rate vs ROUGE-L";
    line.xLabel = "achieved rate (compressed / original tokens)";
    line.yLabel = "ROUGE-L F1 vs original";
    line.xRange = {0.0, 1.0};
    line.yRange = {0.0, 1.0};
    BarChart bars;
    bars.title = "Time per 1k prompt tokens";
    bars.yLabel = "milliseconds";
    bars.stackNames = {"model forward", "rest"};
    bars.values.assign(2, {});
    for (const auto &m : methods) {
        ChartSeries s;
        s.name = m;
        double fwd = 0, other = 0;
        long tokens = 0;
        for (double rate : rates) {
            double x = 0, y = 0;
            int n = 0;
            for (const auto &c : cells)
                if (c.method == m && c.rate == rate && c.ok() > 0) {
                    const double a = c.mean(&DocMeasure::achievedRate),
                                 l = c.mean(&DocMeasure::rougeL);
                    if (std::isfinite(a) && std::isfinite(l)) {
                        x += a;
                        y += l;
                        ++n;
                    }
                }
            if (n > 0) {
                s.x.push_back(x / n);
                s.y.push_back(y / n);
            }
        }
        for (const auto &c : cells)
            if (c.method == m)
                for (const auto &d : c.docs)
                    if (d.error.empty()) {
                        fwd += d.forwardMs;
                        other += std::max(0.0, d.wallMs - d.forwardMs);
                        tokens += d.tokensIn;
                    }
        if (s.x.empty())
            continue;
        line.series.push_back(std::move(s));
        bars.categories.push_back(m);
        bars.values[0].push_back(tokens > 0 ? fwd / static_cast<double>(tokens) * 1000.0 : 0.0);
        bars.values[1].push_back(tokens > 0 ? other / static_cast<double>(tokens) * 1000.0 : 0.0);
    }
    for (const auto &[svg, name] : {std::pair{renderLineChart(line), "rate_vs_rougeL.svg"},
                                    std::pair{renderBarChart(bars), "time_per_1k.svg"}}) {
        if (!writeTextFile((out / name).string(), svg)) {
            error = "cannot write '" + (out / name).string() + "': " + std::strerror(errno);
            return false;
        }
    }
    return true;
}

// The documents' prompts as a `terse compress` batch (one JSON object per line, with the dataset
// and the answers the retention metric looks for), so a row of the report can be reproduced or fed
// to an LLM.
bool writePrompts(const fs::path &file, const std::vector<BenchDataset> &datasets)
{
    std::ofstream out(file);
    for (const auto &d : datasets)
        for (const auto &doc : d.docs) {
            std::vector<std::pair<std::string, std::string>> extra = {
                {"dataset", ojson(d.name).dump()}};
            if (!doc.answerSets.empty())
                extra.emplace_back(
                    "answers", ojson(doc.answerSets)
                                   .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
            out << promptLine(doc.prompt, doc.id, extra) << "\n";
        }
    return static_cast<bool>(out.flush());
}

std::string isoNow()
{
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

} // namespace

int runBench(int argc, char **argv)
{
    CLI::App app("", "terse bench");
    BenchArgs a;
    declareOptions(app, a);
    if (auto rc = parseCommandLine(app, argc, argv, 2))
        return *rc;

    // Methods and datasets: every name is checked before any work (a missing one is exit 4).
    std::vector<std::string> methods;
    if (a.methodsOpt->count() > 0) {
        methods = trimmedNames(a.methods);
        if (methods.empty())
            return reportError("--methods needs at least one method name", kExitUsage);
        for (const auto &m : methods)
            if (auto info = findMethod(m); !info)
                return reportError(info.error().detail, kExitNotFound);
    } else {
        for (const auto &m : availableMethods())
            methods.push_back(m.name);
    }
    // --param: each assignment goes to the methods that have its key, checked against their specs.
    std::map<std::string, std::map<std::string, std::string>> methodParams;
    for (const auto &assignment : a.params) {
        const std::string key = assignment.substr(0, assignment.find('='));
        bool taken = false;
        for (const auto &m : methods) {
            const auto info = findMethod(m);
            if (!info || std::none_of(info->options.begin(), info->options.end(),
                                      [&](const OptionSpec &o) { return o.name == key; }))
                continue;
            auto parsed = parseMethodParams(*info, {assignment});
            if (!parsed)
                return reportError(parsed.error().detail, kExitUsage);
            methodParams[m].insert(parsed->begin(), parsed->end());
            taken = true;
        }
        if (!taken)
            return reportError("--param " + assignment + ": none of the methods (" +
                                   joinNames(methods) + ") has an option '" + key + "'",
                               kExitUsage);
    }
    auto paramsOf = [&](const std::string &method) {
        const auto it = methodParams.find(method);
        return it == methodParams.end() ? std::map<std::string, std::string>{} : it->second;
    };
    const std::vector<double> &rates = a.rates;
    std::vector<std::string> datasets =
        a.datasetsOpt->count() > 0 ? trimmedNames(a.datasets) : benchDatasetNames();
    if (datasets.empty())
        return reportError("--datasets needs at least one dataset name", kExitUsage);
    for (const auto &d : datasets)
        if (std::find(benchDatasetNames().begin(), benchDatasetNames().end(), d) ==
            benchDatasetNames().end()) {
            return reportError("unknown dataset '" + d +
                                   "' (known: " + joinNames(benchDatasetNames()) + ")",
                               kExitNotFound);
        }
    const long maxDocs = a.maxDocs;
    CompressOptions base;
    base.device = a.device;
    if (int code = resolveDeviceOption(base.device); code != kExitOk)
        return code;
    if (!a.mode.empty())
        base.mode = *parseMode(a.mode); // the parser checked the name
    base.seed = a.seed;
    base.wordVectors = a.wordVectors;
    const int threads = a.threads;
    for (const CLI::Option *opt : {a.modelOpt, a.taggerOpt})
        if (opt->count() > 0)
            if (auto m = checkModelPath(opt->get_name(), opt->as<std::string>()); !m)
                return reportError(m.error().detail, exitCodeFor(m.error()));
    if (!a.wordVectors.empty() && a.wordVectors != "none")
        if (auto v = WordVectors::load(a.wordVectors); !v)
            return reportError(v.error().detail, exitCodeFor(v.error()));
    const std::string &dataDir = a.dataDir;
    std::error_code ec;
    if (!fs::is_directory(dataDir, ec))
        return reportError("data folder '" + dataDir +
                               "' not found; pass --data-dir with the shared data folder (it holds "
                               "gsm8k/, leval/, "
                               "longbench/, sentence_compression/)",
                           kExitNotFound);
    const fs::path outDir = a.out;
    // The run writes into a hidden work folder beside DIR (rewritten after every cell, so a long
    // run can be watched) and moves the files into DIR at the end; an interrupted run leaves
    // nothing (issue 17).
    const fs::path parentDir = outDir.has_parent_path() ? outDir.parent_path() : fs::path(".");
    const fs::path workDir =
        parentDir / ("." + outDir.filename().string() + ".partial-" + std::to_string(::getpid()));
    if (fs::exists(outDir, ec) && !fs::is_directory(outDir, ec))
        return reportError("the output folder '" + outDir.string() + "' is a file", kExitFailure);
    fs::create_directories(workDir, ec);
    if (!fs::is_directory(workDir, ec))
        return reportError("cannot create the output folder '" + outDir.string() + "' (" +
                               ec.message() + ")",
                           kExitFailure);
    struct WorkDirGuard {
        fs::path dir;
        ~WorkDirGuard()
        {
            std::error_code e;
            fs::remove_all(dir, e);
        }
    } workGuard{workDir};
    JobContext benchJob;
    g_benchJob = &benchJob;
    std::signal(SIGINT, onBenchSignal);
    std::signal(SIGTERM, onBenchSignal);
    struct SignalGuard {
        ~SignalGuard()
        {
            std::signal(SIGINT, SIG_DFL);
            std::signal(SIGTERM, SIG_DFL);
            g_benchJob = nullptr;
        }
    } signalGuard;

    const bool quiet = a.quiet;
    std::vector<BenchDataset> loaded;
    for (const auto &name : datasets) {
        auto d = loadBenchDataset(name, dataDir, maxDocs);
        if (!d)
            return reportError(d.error().detail, exitCodeFor(d.error()));
        if (d->docs.empty())
            return reportError("dataset " + name + " has no usable documents in " + d->source,
                               kExitInput);
        loaded.push_back(std::move(*d));
    }
    if (!writePrompts(workDir / "prompts.jsonl", loaded))
        return reportError("cannot write " + (outDir / "prompts.jsonl").string(), kExitFailure);

    const RuntimeInfo runtime = initRuntime(threads);
    Counter counter;
    if (auto p = targetTokenizerPath("cl100k_base"); p) {
        if (auto t = Tokenizer::load(*p); t)
            counter.tokenizer = std::make_shared<const Tokenizer>(std::move(*t));
    }
    if (!counter.tokenizer)
        std::fprintf(
            stderr,
            "terse: bench: cl100k_base not found; rates and times use each method's own units\n");
    // Prompt lengths once per document (the same for every method and rate).
    std::vector<std::vector<long>> originalTokens;
    for (const auto &d : loaded) {
        originalTokens.emplace_back();
        for (const auto &doc : d.docs)
            originalTokens.back().push_back(counter.count(doc.prompt.joined()));
    }

    long total = 0;
    for (const auto &d : loaded)
        total += static_cast<long>(d.docs.size() * methods.size() * rates.size());
    const auto started = std::chrono::steady_clock::now();
    const std::string startedIso = isoNow();
    const bool rssResettable = resetPeakRss();
    // One untimed warm-up compression per method: it loads the model and lets libtorch set up its
    // thread pool and kernels, so the timings measure steady-state work; a method that fails here
    // (no model, a model of the wrong kind) is skipped with its error.
    std::map<std::string, std::string> skipped; // method -> why
    for (const auto &method : methods) {
        auto compressor = createCompressor(method);
        if (!compressor)
            return reportError(compressor.error().detail, kExitNotFound);
        CompressOptions opts = base;
        opts.method = method;
        opts.model = method == "llmlingua2" ? a.tagger : a.model;
        opts.params = paramsOf(method);
        Prompt warm;
        warm.segments = {{SegmentRole::Context, kWarmupText},
                         {SegmentRole::Question, "Where did the meeting move?"}};
        auto r = (*compressor)->compress(warm, opts, JobContext::none());
        if (!r) {
            skipped[method] = r.error().detail;
            std::fprintf(stderr, "terse: bench: skipping %s: %s\n", method.c_str(),
                         r.error().detail.c_str());
        }
    }

    std::vector<Cell> cells;
    // The report is rewritten after every cell ("complete": false until the end), so an interrupted
    // or very long run keeps what it measured.
    auto writeReport = [&](bool complete, double seconds) {
        ojson report;
        report["terse_version"] = engineVersion();
        report["started"] = startedIso;
        report["complete"] = complete;
        report["runtime_s"] = seconds;
        report["threads"] = runtime.threads;
        report["data_dir"] = dataDir;
        report["model"] = a.model;
        report["tagger"] = a.tagger;
        report["word_vectors"] = a.wordVectors;
        report["mode"] = modeName(base.mode);
        report["seed"] = base.seed;
        report["max_docs"] = maxDocs;
        report["token_counter"] = counter.tokenizer ? "cl100k_base" : "method units";
        report["rates"] = rates;
        report["methods"] = methods;
        report["params"] = ojson::object();
        for (const auto &[m, kv] : methodParams)
            report["params"][m] = kv;
        report["datasets"] = ojson::array();
        for (const auto &d : loaded)
            report["datasets"].push_back(
                {{"name", d.name}, {"source", d.source}, {"docs", d.docs.size()}});
        report["skipped_methods"] = ojson::array();
        for (const auto &[m, why] : skipped)
            report["skipped_methods"].push_back({{"method", m}, {"reason", why}});
        report["results"] = ojson::array();
        for (const auto &c : cells)
            report["results"].push_back(cellJson(c, true));

        std::ofstream json(workDir / "report.json");
        json << report.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        std::ofstream csv(workDir / "report.csv");
        csv << kCsvHeader;
        for (const auto &c : cells)
            csv << csvRow(c);
        return json.flush() && csv.flush();
    };

    ProgressBar bar(total, "compressions", !quiet);
    long done = 0;
    for (std::size_t di = 0; di < loaded.size(); ++di) {
        const BenchDataset &d = loaded[di];
        for (const auto &method : methods) {
            for (double rate : rates) {
                if (skipped.count(method)) {
                    done += static_cast<long>(d.docs.size());
                    bar.update(done);
                    continue;
                }
                auto compressor = createCompressor(method);
                if (!compressor)
                    return reportError(compressor.error().detail, kExitNotFound);
                CompressOptions opts = base;
                opts.method = method;
                opts.rate = rate;
                opts.model = method == "llmlingua2" ? a.tagger : a.model;
                opts.params = paramsOf(method);
                Cell cell;
                cell.dataset = d.name;
                cell.method = method;
                cell.rate = rate;
                resetPeakRss();
                for (std::size_t k = 0; k < d.docs.size(); ++k) {
                    DocMeasure m = measure(**compressor, d.docs[k], opts, counter,
                                           originalTokens[di][k], cell, benchJob);
                    if (benchJob.isCancelled()) {
                        bar.finish();
                        return reportError("bench interrupted; no report was written",
                                           kExitCancelled);
                    }
                    if (!m.error.empty())
                        bar.message("terse: bench: " + method + " on " + d.name + " at " +
                                    cellText(rate, 2) + ", " + m.id + ": " + m.error);
                    cell.docs.push_back(std::move(m));
                    bar.update(++done, d.name + "/" + method + "@" + cellText(rate, 2));
                }
                cell.peakRssMb = rssResettable ? peakRssMb() : kNaN;
                cells.push_back(std::move(cell));
                writeReport(
                    false, std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
                               .count());
            }
        }
    }
    bar.finish();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    if (!writeReport(true, seconds))
        return reportError("cannot write the report in '" + outDir.string() + "'", kExitFailure);
    std::vector<std::string> measured;
    for (const auto &m : methods)
        if (!skipped.count(m))
            measured.push_back(m);
    std::string chartError;
    if (!writeCharts(cells, measured, rates, workDir, chartError))
        return reportError(chartError, kExitFailure);
    // Move the finished report into DIR (files of an earlier report there are replaced).
    fs::create_directories(outDir, ec);
    for (const auto &entry : fs::directory_iterator(workDir, ec)) {
        fs::rename(entry.path(), outDir / entry.path().filename(), ec);
        if (ec)
            return reportError("cannot move the report into '" + outDir.string() + "' (" +
                                   ec.message() + ")",
                               kExitFailure);
    }

    printTable(cells);
    long compressions = 0;
    for (const auto &c : cells)
        compressions += static_cast<long>(c.docs.size());
    std::printf("%zu cells, %ld compressions in %.1f s; report in %s\n", cells.size(), compressions,
                seconds, outDir.string().c_str());
    if (cells.empty())
        return reportError("no method could be measured", kExitFailure);
    bool failedDocs = false;
    for (const auto &c : cells)
        failedDocs |= c.ok() < static_cast<long>(c.docs.size());
    return skipped.empty() && !failedDocs ? kExitOk : kExitPartial;
}

} // namespace terse::cli
