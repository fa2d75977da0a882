#include "result_adapter.h"

#include "engine_terms.h"

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
// The per-unit caches the compressors keep for rethreshold() (selective_context.cpp, llmlingua2.cpp).
constexpr std::string_view kInternalSeries[] = {
    "piece_offset", "piece_bytes", "sentence_first", "protected", "force_token",
    "chunk",        "target_tokens", "word_offset", "word_bytes",
};

void addSeries(terse::widgets::HeatmapData &d, const std::vector<terse::ScoreSeries> &series,
               const std::vector<terse::Threshold> &thresholds)
{
    for (const auto &s : series) {
        if (isInternalSeries(s.name))
            continue;
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
}  // namespace

int pinOf(const terse::Unit &unit, const std::vector<terse::PinnedSpan> &pins)
{
    int pin = 0;
    for (const auto &p : pins)
        if (p.segment == unit.segment && unit.span.begin < p.span.end && p.span.begin < unit.span.end)
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
                                               const std::vector<terse::PinnedSpan> &pins)
{
    if (stage < 0 || stage >= static_cast<int>(result.stages.size()))
        return toHeatmapData(result, pins);
    terse::widgets::HeatmapData d;
    d.totalTokens = static_cast<int>(result.units.size());
    const auto &st = result.stages[static_cast<std::size_t>(stage)];
    if (!st.scores.empty())
        addSeries(d, st.scores, st.thresholds);
    else  // e.g. an LLMLingua window: the final scores against that window's threshold
        addSeries(d, result.scores, st.thresholds.empty() ? result.thresholds : st.thresholds);
    std::vector<int> removedAt(result.units.size(), -1);
    for (int k = 0; k <= stage; ++k)
        for (int u : result.stages[static_cast<std::size_t>(k)].removedUnits)
            if (u >= 0 && u < static_cast<int>(removedAt.size()) && removedAt[static_cast<std::size_t>(u)] < 0)
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
        t.reason = at >= 0 ? QCoreApplication::translate("terse::app::ResultAdapter", "Removed in stage: %1.").arg(EngineTerms::stageName(result.stages[at].name))
                           : QCoreApplication::translate("terse::app::ResultAdapter", "Still present after stage: %1.").arg(EngineTerms::stageName(st.name));
        if (at < 0 && !u.kept)
            t.reason += QLatin1Char(' ') + QCoreApplication::translate("terse::app::ResultAdapter", "Dropped later.");
        d.tokens.push_back(t);
    }
    return d;
}

terse::widgets::HeatmapData toHeatmapData(const terse::CompressionResult &result,
                                          const std::vector<terse::PinnedSpan> &pins)
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
            t.reason = QCoreApplication::translate("terse::app::ResultAdapter", "Instructions and questions are kept verbatim.");
        else if (t.pin != 0)
            t.reason = t.pin > 0 ? QCoreApplication::translate("terse::app::ResultAdapter", "Pinned by you: always kept (click again to pin as dropped).")
                                 : QCoreApplication::translate("terse::app::ResultAdapter", "Pinned by you: always dropped (click again to unpin).");
        else if (u.forced)
            t.reason = u.kept ? QCoreApplication::translate("terse::app::ResultAdapter", "Pinned: always kept.") : QCoreApplication::translate("terse::app::ResultAdapter", "Pinned: always dropped.");
        else if (!result.thresholds.empty() && std::isfinite(result.thresholds.front().value)) {
            const auto &th = result.thresholds.front();
            const ScoreSeries *s = result.series(th.series);
            if (s && i < s->values.size())
                t.reason = (u.kept ? QCoreApplication::translate("terse::app::ResultAdapter", "Kept: %1 %2 is at or above the threshold %3.")
                                   : QCoreApplication::translate("terse::app::ResultAdapter", "Dropped: %1 %2 is below the threshold %3."))
                               .arg(EngineTerms::scoreName(th.series))
                               .arg(s->values[i], 0, 'g', 4)
                               .arg(th.value, 0, 'g', 4);
        }
        if (t.reason.isEmpty())
            t.reason = u.kept ? QCoreApplication::translate("terse::app::ResultAdapter", "Kept.") : QCoreApplication::translate("terse::app::ResultAdapter", "Dropped.");
        if (u.stage >= 0 && u.stage < static_cast<int>(result.stages.size()))
            t.reason += QLatin1Char(' ') +
                        QCoreApplication::translate("terse::app::ResultAdapter", "Removed in stage: %1.").arg(EngineTerms::stageName(result.stages[u.stage].name));
        d.tokens.push_back(t);
    }
    return d;
}

QString resultSummary(const terse::CompressionResult &r)
{
    // The achieved rate is counted in the target LLM's tokens (what the user pays for); the method's own
    // units follow.
    if (r.targetTokensIn >= 0 && r.targetTokensOut >= 0)
        return QCoreApplication::translate("terse::app::ResultAdapter",
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

bool isInternalSeries(std::string_view name)
{
    return std::find(std::begin(kInternalSeries), std::end(kInternalSeries), name) !=
           std::end(kInternalSeries);
}

NoteKind warningKind(std::string_view code)
{
    return terse::isNote(std::string(code)) ? NoteKind::Info : NoteKind::Warning;  // the engine's table
}

QString engineText(const std::string &text)
{
    return QCoreApplication::translate("terse::engine", text.c_str());
}

}  // namespace terse::app
