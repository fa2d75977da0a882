#include "compressors/common.h"
#include "compressors/params.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <cmath>
#include <limits>
#include <numeric>

namespace terse::detail {

ComputeDtype methodDtype(const CompressOptions &options)
{
    if (options.mode == CompressionMode::Reference)
        return ComputeDtype::Float32;
    auto d = parseDtype(options.dtype);
    return d ? *d : ComputeDtype::Float32;
}

Result<std::shared_ptr<const LoadedModel>>
methodModel(const std::string &method, const CompressOptions &options, DefaultModel which)
{
    auto loaded =
        loadModelWithTokenizer(options.model, which, methodDtype(options), options.device);
    if (!loaded)
        return loaded.error();
    const ModelInfo &info = (*loaded)->model.info();
    if (which == DefaultModel::Tagger) {
        if (info.kind != ModelKind::TokenClassifier || info.numLabels < 2)
            return fail(ErrorCode::Unsupported, method +
                                                    " needs a token classifier with 2 labels; '" +
                                                    (*loaded)->path + "' is not one");
    } else if (info.kind != ModelKind::CausalLM) {
        return fail(ErrorCode::Unsupported, method + " needs a causal language model; '" +
                                                (*loaded)->path + "' is not one");
    }
    return loaded;
}

bool runsSmallLm(const CompressOptions &options, const Model &model)
{
    if (options.model.empty())
        return true; // the bundled LM
    const long long n = model.info().parameters;
    return n > 0 && n < kSmallLmParameters;
}

std::vector<Unit> wordUnits(const Prompt &prompt, bool keepNonContext)
{
    std::vector<Unit> units;
    for (int s = 0; s < static_cast<int>(prompt.segments.size()); ++s) {
        const auto &seg = prompt.segments[s];
        const bool fixed = keepNonContext && seg.role != SegmentRole::Context;
        for (const Span &sp : splitWords(seg.text)) {
            Unit u;
            u.segment = s;
            u.span = sp;
            u.kept = true;
            u.forced = fixed;
            units.push_back(u);
        }
    }
    return units;
}

CompressionResult newResult(const std::string &method, const Prompt &prompt,
                            const CompressOptions &options, std::string unitName, std::string model)
{
    CompressionResult r;
    r.method = method;
    r.mode = options.mode;
    r.segments = prompt.segments;
    r.requestedRate = options.rate;
    r.unitName = std::move(unitName);
    r.model = std::move(model);
    return r;
}

bool onlyThresholdsChanged(const CompressionResult &previous, const std::string &method,
                           const CompressOptions &prevOptions, const CompressOptions &next)
{
    // The rate, target and pins only move thresholds; the mode changes the units, params the model
    // input, the precision and device the scores.
    return previous.method == method && prevOptions.method == next.method &&
           prevOptions.mode == next.mode && prevOptions.params == next.params &&
           prevOptions.dtype == next.dtype && prevOptions.device == next.device &&
           prevOptions.model == next.model && prevOptions.targetTokenizer == next.targetTokenizer &&
           prevOptions.findQuestion == next.findQuestion &&
           prevOptions.wordVectors == next.wordVectors;
}

const std::vector<float> *unitValues(const CompressionResult &r, const char *name)
{
    const ScoreSeries *s = r.series(name);
    if (!s)
        s = r.internal(name);
    return s && s->values.size() == r.units.size() ? &s->values : nullptr;
}

void applyPins(std::vector<Unit> &units, const std::vector<PinnedSpan> &pins)
{
    for (const auto &pin : pins) {
        for (auto &u : units) {
            if (u.segment != pin.segment)
                continue;
            if (u.span.begin < pin.span.end && pin.span.begin < u.span.end) {
                u.forced = true;
                u.kept = pin.keep;
            }
        }
    }
}

long keepBudget(const std::vector<Unit> &units, const CompressOptions &options)
{
    const long n = static_cast<long>(units.size());
    long k = options.targetTokens >= 0 ? options.targetTokens
                                       : std::lround(options.rate * static_cast<double>(n));
    return std::clamp(k, 0L, n);
}

double keepTopK(std::vector<Unit> &units, const std::vector<float> &scores, long budget)
{
    std::vector<int> free;
    long forcedKept = 0;
    for (int i = 0; i < static_cast<int>(units.size()); ++i) {
        if (units[i].forced)
            forcedKept += units[i].kept ? 1 : 0;
        else
            free.push_back(i);
    }
    long room = std::max(0L, budget - forcedKept);
    std::stable_sort(free.begin(), free.end(), [&](int a, int b) { return scores[a] > scores[b]; });
    double threshold = std::numeric_limits<double>::infinity();
    for (std::size_t r = 0; r < free.size(); ++r) {
        const bool keep = static_cast<long>(r) < room;
        units[free[r]].kept = keep;
        if (keep)
            threshold = scores[free[r]];
    }
    return threshold;
}

std::vector<std::string> splitOnSpaces(const std::string &text)
{
    std::vector<std::string> out;
    std::size_t i = 0;
    while (true) {
        const std::size_t j = text.find(' ', i);
        out.push_back(text.substr(i, j == std::string::npos ? std::string::npos : j - i));
        if (j == std::string::npos)
            return out;
        i = j + 1;
    }
}

double numpyPercentile(std::vector<double> v, double q, bool skipNaN)
{
    if (skipNaN)
        v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return std::isnan(x); }),
                v.end());
    if (v.empty())
        return std::numeric_limits<double>::quiet_NaN();
    std::sort(v.begin(), v.end());
    const double qf = q / 100.0;
    const double n = static_cast<double>(v.size());
    const double virt =
        n * qf + (1.0 + qf * (1.0 - 1.0 - 1.0)) - 1.0; // numpy's linear: alpha = beta = 1
    const double prevD = std::floor(virt);
    const double gamma = virt - prevD;
    const long last = static_cast<long>(v.size()) - 1;
    const long prev = std::clamp(static_cast<long>(prevD), 0L, last);
    const long next = std::clamp(static_cast<long>(prevD) + 1, 0L, last);
    const double a = v[static_cast<std::size_t>(prev)], b = v[static_cast<std::size_t>(next)];
    const double d = b - a;
    return gamma >= 0.5 ? b - d * (1.0 - gamma) : a + d * gamma; // numpy _lerp
}

Result<std::vector<int>> readIndexList(const std::string &text)
{
    std::vector<int> out;
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] == ',' || text[i] == ' ' || text[i] == '\t') {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < text.size() && text[j] != ',' && text[j] != ' ' && text[j] != '\t')
            ++j;
        const std::string item = text.substr(i, j - i);
        char *end = nullptr;
        errno = 0;
        const long v = std::strtol(item.c_str(), &end, 10);
        if (*end != '\0' || errno != 0 || v < 0 || v > 1000000)
            return fail(ErrorCode::InvalidArgument,
                        "expected context indices (0, 1, ...), got '" + item + "'");
        out.push_back(static_cast<int>(v));
        i = j;
    }
    return out;
}

std::string indexListText(const std::vector<int> &ids)
{
    std::string out;
    for (int i : ids)
        out += (out.empty() ? "" : ",") + std::to_string(i);
    return out;
}

std::string lowerAscii(std::string s)
{
    for (auto &c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool isPyspace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool hasDigit(std::string_view s)
{
    return std::any_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool isAlnumByte(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) || (c & 0x80);
}

bool identifierJoin(std::string_view text, Span a, Span b)
{
    if (a.end != b.begin || a.size() == 0 || b.size() == 0)
        return false;
    const std::string_view sa = text.substr(a.begin, a.size()), sb = text.substr(b.begin, b.size());
    auto connector = [](char c) {
        return std::string_view("-_./:@#").find(c) != std::string_view::npos;
    };
    if (sb.size() == 1 && connector(sb[0]))
        return isAlnumByte(sa.back()) && b.end < text.size() && isAlnumByte(text[b.end]);
    if (connector(sa.back()))
        return isAlnumByte(sb.front());
    return isAlnumByte(sa.back()) && isAlnumByte(sb.front()) && (hasDigit(sa) || hasDigit(sb));
}

} // namespace terse::detail
