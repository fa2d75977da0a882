#include "result_adapter.h"

#include "engine_terms.h"

#include "terse/text_units.h"

#include <QCoreApplication>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <utility>

namespace terse::app {

QString spanText(const terse::CompressionResult &result, const terse::Unit &unit)
{
    const std::string &s = result.segments[unit.segment].text;
    return QString::fromUtf8(s.data() + unit.span.begin, static_cast<qsizetype>(unit.span.size()));
}

namespace {
void addSeries(terse::widgets::HeatmapData &d, const std::vector<terse::ScoreSeries> &series,
               const std::vector<terse::Threshold> &thresholds)
{
    for (const auto &s : series) {
        d.seriesNames << QString::fromStdString(s.name);
        d.seriesLabels << EngineTerms::scoreName(s.name);
        QVector<double> v;
        v.reserve(static_cast<qsizetype>(s.values.size()));
        for (float f : s.values)
            v.push_back(f);
        d.series.push_back(v);
        double th = std::numeric_limits<double>::quiet_NaN();
        for (const auto &t : thresholds)
            if (t.series == s.name && std::isfinite(t.value))
                th = t.value;
        d.thresholds.push_back(th);
    }
}

// How a word's cell pools its tokens' values of a series.
enum class Pool { Sum, Max, Mean };
Pool poolOf(const std::string &series)
{
    if (series == "surprisal" || series == "self_information" || series == "contrastive")
        return Pool::Sum; // information adds up over a word's tokens (LLMLingua's corrected word
                          // score)
    if (series == "attention" || series == "weight" || series == "restored")
        return Pool::Max; // a word matters when any piece does
    return Pool::Mean;
}

double pooled(const double *values, int n, Pool how)
{
    double acc = how == Pool::Max ? -std::numeric_limits<double>::infinity() : 0.0;
    int finite = 0;
    for (int i = 0; i < n; ++i) {
        if (!std::isfinite(values[i]))
            continue;
        ++finite;
        acc = how == Pool::Max ? std::max(acc, values[i]) : acc + values[i];
    }
    if (finite == 0)
        return std::numeric_limits<double>::quiet_NaN();
    return how == Pool::Mean ? acc / finite : acc;
}

// Merges unit tokens into word cells: text joined, kept/forced when any piece is, the pieces'
// values in the reason (the tooltip), the series pooled.
terse::widgets::HeatmapData toCells(terse::widgets::HeatmapData units, const HeatmapCells &cells)
{
    if (!cells.words)
        return units;
    terse::widgets::HeatmapData d;
    d.seriesNames = units.seriesNames;
    d.seriesLabels = units.seriesLabels;
    d.thresholds = units.thresholds;
    d.series.resize(units.series.size());
    const int nCells = static_cast<int>(cells.first.size());
    d.totalTokens = nCells;
    for (int c = 0; c < nCells; ++c) {
        const int a = cells.first[static_cast<std::size_t>(c)], b = cells.lastUnit(c) + 1;
        terse::widgets::HeatmapToken t = units.tokens[a];
        QStringList pieces;
        for (int u = a; u < b; ++u) {
            const auto &x = units.tokens[u];
            if (u > a) {
                t.text += x.text;
                t.kept = t.kept || x.kept;
                t.forced = t.forced || x.forced;
                if (t.pin == 0)
                    t.pin = x.pin;
            }
            pieces << QStringLiteral("“%1”").arg(x.text.trimmed().toHtmlEscaped());
        }
        if (b - a > 1) {
            QString detail = QCoreApplication::translate("terse::app::ResultAdapter", "Pieces: %1.")
                                 .arg(pieces.join(QStringLiteral(" · ")));
            for (qsizetype s = 0; s < units.series.size(); ++s) {
                QStringList values;
                for (int u = a; u < b; ++u)
                    values << QString::number(units.series[s][u], 'g', 3);
                detail += QStringLiteral(" %1: %2.")
                              .arg(d.seriesLabels.value(s, d.seriesNames[s]),
                                   values.join(QStringLiteral(" · ")));
            }
            t.reason = t.reason.isEmpty() ? detail : t.reason + QLatin1Char(' ') + detail;
        }
        d.tokens.push_back(t);
        for (qsizetype s = 0; s < units.series.size(); ++s)
            d.series[s].push_back(pooled(units.series[s].constData() + a, b - a,
                                         poolOf(units.seriesNames[s].toStdString())));
    }
    return d;
}
} // namespace

HeatmapCells heatmapCells(const terse::CompressionResult &r)
{
    HeatmapCells cells;
    const int n = static_cast<int>(r.units.size());
    cells.cellOf.assign(static_cast<std::size_t>(n), 0);
    const bool group = r.mode == terse::CompressionMode::Corrected && r.unitName == "token";
    std::vector<std::vector<terse::Span>> words(r.segments.size());
    if (group)
        for (std::size_t s = 0; s < r.segments.size(); ++s)
            words[s] = terse::splitAtomicWords(r.segments[s].text);
    // The word holding a byte of a segment (atomic words include their trailing whitespace).
    auto wordAt = [&](int segment, std::size_t byte) -> long {
        const auto &w = words[static_cast<std::size_t>(segment)];
        auto it = std::upper_bound(w.begin(), w.end(), byte,
                                   [](std::size_t b, const terse::Span &x) { return b < x.end; });
        return it == w.end() ? static_cast<long>(w.size()) - 1 : static_cast<long>(it - w.begin());
    };
    int prevSegment = -1;
    long cellEnd = -1; // the last word the current cell covers
    for (int i = 0; i < n; ++i) {
        const terse::Unit &u = r.units[static_cast<std::size_t>(i)];
        bool fresh = !group || u.segment != prevSegment || cells.first.empty();
        long w0 = 0, w1 = 0;
        if (group) {
            const std::string &text = r.segments[static_cast<std::size_t>(u.segment)].text;
            std::size_t b = u.span.begin, e = u.span.end;
            while (b < e && std::isspace(static_cast<unsigned char>(text[b])))
                ++b; // leading whitespace belongs to the word before
            w0 = b < e ? wordAt(u.segment, b) : cellEnd + 1; // whitespace alone joins the next word
            w1 = b < e ? wordAt(u.segment, e - 1) : w0;
            fresh = fresh || w0 > cellEnd;
        }
        if (fresh)
            cells.first.push_back(i);
        cellEnd = fresh ? w1 : std::max(cellEnd, w1);
        prevSegment = u.segment;
        cells.cellOf[static_cast<std::size_t>(i)] = static_cast<int>(cells.first.size()) - 1;
    }
    cells.words = group && static_cast<int>(cells.first.size()) < n;
    return cells;
}

QVector<double> HeatmapCells::pool(const std::vector<float> &unitValues,
                                   const std::string &series) const
{
    QVector<double> out;
    if (!words) {
        for (float v : unitValues)
            out.push_back(v);
        return out;
    }
    for (int c = 0; c < static_cast<int>(first.size()); ++c) {
        std::vector<double> v;
        for (int u = first[static_cast<std::size_t>(c)];
             u <= lastUnit(c) && u < static_cast<int>(unitValues.size()); ++u)
            v.push_back(unitValues[static_cast<std::size_t>(u)]);
        out.push_back(pooled(v.data(), static_cast<int>(v.size()), poolOf(series)));
    }
    return out;
}

int pinOf(const terse::Unit &unit, const std::vector<terse::PinnedSpan> &pins)
{
    int pin = 0;
    for (const auto &p : pins)
        if (p.segment == unit.segment && unit.span.begin < p.span.end &&
            p.span.begin < unit.span.end)
            pin = p.keep ? 1 : -1;
    return pin;
}

std::size_t joinedOffset(const terse::CompressionResult &result, const terse::Unit &unit)
{
    std::size_t offset = 0;
    for (int s = 0; s < unit.segment && s < static_cast<int>(result.segments.size()); ++s)
        offset += result.segments[static_cast<std::size_t>(s)].text.size() + 2;
    return offset + unit.span.begin;
}

terse::widgets::HeatmapData toStageHeatmapData(const terse::CompressionResult &result, int stage,
                                               const std::vector<terse::PinnedSpan> &pins,
                                               const HeatmapCells *cells)
{
    if (stage < 0 || stage >= static_cast<int>(result.stages.size()))
        return toHeatmapData(result, pins, cells);
    terse::widgets::HeatmapData d;
    d.totalTokens = static_cast<int>(result.units.size());
    const auto &st = result.stages[static_cast<std::size_t>(stage)];
    if (!st.scores.empty())
        addSeries(d, st.scores, st.thresholds);
    else // e.g. an LLMLingua window: the final scores against that window's threshold
        addSeries(d, result.scores, st.thresholds.empty() ? result.thresholds : st.thresholds);
    std::vector<int> removedAt(result.units.size(), -1);
    for (int k = 0; k <= stage; ++k)
        for (int u : result.stages[static_cast<std::size_t>(k)].removedUnits)
            if (u >= 0 && u < static_cast<int>(removedAt.size()) &&
                removedAt[static_cast<std::size_t>(u)] < 0)
                removedAt[static_cast<std::size_t>(u)] = k;
    int prevSegment = -1;
    for (std::size_t i = 0; i < result.units.size(); ++i) {
        const auto &u = result.units[i];
        terse::widgets::HeatmapToken t;
        t.text = spanText(result, u);
        const int at = removedAt[i];
        t.kept = at < 0;
        t.forced = u.forced;
        t.pin = pinOf(u, pins);
        t.segmentStart = u.segment != prevSegment;
        prevSegment = u.segment;
        t.reason = at >= 0 ? QCoreApplication::translate("terse::app::ResultAdapter",
                                                         "Removed in stage: %1.")
                                 .arg(EngineTerms::stageName(result.stages[at].name))
                           : QCoreApplication::translate("terse::app::ResultAdapter",
                                                         "Still present after stage: %1.")
                                 .arg(EngineTerms::stageName(st.name));
        if (at < 0 && !u.kept)
            t.reason += QLatin1Char(' ') +
                        QCoreApplication::translate("terse::app::ResultAdapter", "Dropped later.");
        d.tokens.push_back(t);
    }
    return toCells(std::move(d), cells ? *cells : heatmapCells(result));
}

terse::widgets::HeatmapData toHeatmapData(const terse::CompressionResult &result,
                                          const std::vector<terse::PinnedSpan> &pins,
                                          const HeatmapCells *cells)
{
    terse::widgets::HeatmapData d;
    d.totalTokens = static_cast<int>(result.units.size());
    addSeries(d, result.scores, result.thresholds);
    int prevSegment = -1;
    d.tokens.reserve(static_cast<qsizetype>(result.units.size()));
    for (std::size_t i = 0; i < result.units.size(); ++i) {
        const auto &u = result.units[i];
        terse::widgets::HeatmapToken t;
        t.text = spanText(result, u);
        t.kept = u.kept;
        t.forced = u.forced;
        t.pin = pinOf(u, pins);
        t.segmentStart = u.segment != prevSegment;
        prevSegment = u.segment;
        const auto role = result.segments[u.segment].role;
        if (u.forced && role != terse::SegmentRole::Context)
            t.reason = QCoreApplication::translate("terse::app::ResultAdapter",
                                                   "Instructions and questions are kept verbatim.");
        else if (t.pin != 0)
            t.reason = t.pin > 0
                           ? QCoreApplication::translate(
                                 "terse::app::ResultAdapter",
                                 "Pinned by you: always kept (click again to pin as dropped).")
                           : QCoreApplication::translate(
                                 "terse::app::ResultAdapter",
                                 "Pinned by you: always dropped (click again to unpin).");
        else if (u.forced)
            t.reason = u.kept ? QCoreApplication::translate("terse::app::ResultAdapter",
                                                            "Pinned: always kept.")
                              : QCoreApplication::translate("terse::app::ResultAdapter",
                                                            "Pinned: always dropped.");
        else if (!result.thresholds.empty() && std::isfinite(result.thresholds.front().value)) {
            const auto &th = result.thresholds.front();
            const ScoreSeries *s = result.series(th.series);
            if (s && i < s->values.size())
                t.reason =
                    (u.kept
                         ? QCoreApplication::translate(
                               "terse::app::ResultAdapter",
                               "Kept: %1 %2 is at or above the threshold %3.")
                         : QCoreApplication::translate("terse::app::ResultAdapter",
                                                       "Dropped: %1 %2 is below the threshold %3."))
                        .arg(EngineTerms::scoreName(th.series))
                        .arg(s->values[i], 0, 'g', 4)
                        .arg(th.value, 0, 'g', 4);
        }
        if (t.reason.isEmpty())
            t.reason = u.kept
                           ? QCoreApplication::translate("terse::app::ResultAdapter", "Kept.")
                           : QCoreApplication::translate("terse::app::ResultAdapter", "Dropped.");
        if (u.stage >= 0 && u.stage < static_cast<int>(result.stages.size()))
            t.reason +=
                QLatin1Char(' ') +
                QCoreApplication::translate("terse::app::ResultAdapter", "Removed in stage: %1.")
                    .arg(EngineTerms::stageName(result.stages[u.stage].name));
        d.tokens.push_back(t);
    }
    return toCells(std::move(d), cells ? *cells : heatmapCells(result));
}

QString resultSummary(const terse::CompressionResult &r)
{
    // The achieved rate is counted in the target LLM's tokens (what the user pays for); the
    // method's own units follow.
    if (r.targetTokensIn >= 0 && r.targetTokensOut >= 0)
        return QCoreApplication::translate(
                   "terse::app::ResultAdapter",
                   "%1 → %2 target tokens (%3% kept, requested %4%) · %5 → %6 %7 · %8")
            .arg(r.targetTokensIn)
            .arg(r.targetTokensOut)
            .arg(100.0 * r.achievedRate, 0, 'f', 1)
            .arg(100.0 * r.requestedRate, 0, 'f', 1)
            .arg(r.tokensIn)
            .arg(r.tokensOut)
            .arg(EngineTerms::unitsName(r.unitName))
            .arg(formatDuration(r.totalMs));
    return QCoreApplication::translate("terse::app::ResultAdapter",
                                       "%1 → %2 %3 (%4% kept, requested %5%) · %6")
        .arg(r.tokensIn)
        .arg(r.tokensOut)
        .arg(EngineTerms::unitsName(r.unitName))
        .arg(100.0 * r.achievedRate, 0, 'f', 1)
        .arg(100.0 * r.requestedRate, 0, 'f', 1)
        .arg(formatDuration(r.totalMs));
}

QString formatDuration(double ms, const QLocale &locale)
{
    if (!std::isfinite(ms) || ms < 0)
        return QStringLiteral("—");
    const auto msText = [&](double v, int decimals) {
        return QCoreApplication::translate("terse::app::ResultAdapter", "%1 ms", "milliseconds")
            .arg(locale.toString(v, 'f', decimals));
    };
    const auto sText = [&](double v, int decimals) {
        return QCoreApplication::translate("terse::app::ResultAdapter", "%1 s", "seconds")
            .arg(locale.toString(v, 'f', decimals));
    };
    // Each step rounds first, so that 999.7 ms reads "1.0 s" and 59.6 s reads "1 min".
    if (ms < 9.95)
        return msText(ms, 1);
    if (std::round(ms) < 1000)
        return msText(std::round(ms), 0);
    const double s = ms / 1000;
    if (s < 9.95)
        return sText(s, 1);
    if (std::round(s) < 60)
        return sText(std::round(s), 0);
    const qint64 seconds = std::llround(s);
    if (seconds < 3600)
        return seconds % 60 == 0
                   ? QCoreApplication::translate("terse::app::ResultAdapter", "%1 min", "minutes")
                         .arg(seconds / 60)
                   : QCoreApplication::translate("terse::app::ResultAdapter", "%1 min %2 s",
                                                 "minutes and seconds")
                         .arg(seconds / 60)
                         .arg(seconds % 60);
    const qint64 minutes = (seconds + 30) / 60;
    return minutes % 60 == 0
               ? QCoreApplication::translate("terse::app::ResultAdapter", "%1 h", "hours")
                     .arg(minutes / 60)
               : QCoreApplication::translate("terse::app::ResultAdapter", "%1 h %2 min",
                                             "hours and minutes")
                     .arg(minutes / 60)
                     .arg(minutes % 60);
}

NoteKind warningKind(std::string_view code)
{
    return terse::isNote(std::string(code)) ? NoteKind::Info
                                            : NoteKind::Warning; // the engine's table
}

QString engineText(const std::string &text)
{
    return QCoreApplication::translate("terse::engine", text.c_str());
}

} // namespace terse::app
