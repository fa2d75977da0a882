#include "result_adapter.h"

#include <QCoreApplication>

#include <cmath>
#include <limits>

namespace terse::app {

QString spanText(const terse::CompressionResult &result, const terse::Unit &unit)
{
    const std::string &s = result.segments[unit.segment].text;
    return QString::fromUtf8(s.data() + unit.span.begin, static_cast<qsizetype>(unit.span.size()));
}

terse::widgets::HeatmapData toHeatmapData(const terse::CompressionResult &result)
{
    terse::widgets::HeatmapData d;
    d.totalTokens = static_cast<int>(result.units.size());
    for (const auto &s : result.scores) {
        d.seriesNames << QString::fromStdString(s.name);
        QVector<double> v;
        v.reserve(static_cast<qsizetype>(s.values.size()));
        for (float f : s.values)
            v.push_back(f);
        d.series.push_back(v);
        double th = std::numeric_limits<double>::quiet_NaN();
        for (const auto &t : result.thresholds)
            if (t.series == s.name && std::isfinite(t.value))
                th = t.value;
        d.thresholds.push_back(th);
    }
    int prevSegment = -1;
    d.tokens.reserve(static_cast<qsizetype>(result.units.size()));
    for (std::size_t i = 0; i < result.units.size(); ++i) {
        const auto &u = result.units[i];
        terse::widgets::HeatmapToken t;
        t.text = spanText(result, u);
        t.kept = u.kept;
        t.forced = u.forced;
        t.segmentStart = u.segment != prevSegment;
        prevSegment = u.segment;
        const auto role = result.segments[u.segment].role;
        if (u.forced && role != terse::SegmentRole::Context)
            t.reason = QCoreApplication::translate("terse::app::ResultAdapter", "Instructions and questions are kept verbatim.");
        else if (u.forced)
            t.reason = u.kept ? QCoreApplication::translate("terse::app::ResultAdapter", "Pinned: always kept.") : QCoreApplication::translate("terse::app::ResultAdapter", "Pinned: always dropped.");
        else if (!result.thresholds.empty() && std::isfinite(result.thresholds.front().value)) {
            const auto &th = result.thresholds.front();
            const ScoreSeries *s = result.series(th.series);
            if (s && i < s->values.size())
                t.reason = (u.kept ? QCoreApplication::translate("terse::app::ResultAdapter", "Kept: %1 %2 is at or above the threshold %3.")
                                   : QCoreApplication::translate("terse::app::ResultAdapter", "Dropped: %1 %2 is below the threshold %3."))
                               .arg(QString::fromStdString(th.series))
                               .arg(s->values[i], 0, 'g', 4)
                               .arg(th.value, 0, 'g', 4);
        }
        if (t.reason.isEmpty())
            t.reason = u.kept ? QCoreApplication::translate("terse::app::ResultAdapter", "Kept.") : QCoreApplication::translate("terse::app::ResultAdapter", "Dropped.");
        if (u.stage >= 0 && u.stage < static_cast<int>(result.stages.size()))
            t.reason += QLatin1Char(' ') +
                        QCoreApplication::translate("terse::app::ResultAdapter", "Removed in stage: %1.").arg(QString::fromStdString(result.stages[u.stage].name));
        d.tokens.push_back(t);
    }
    return d;
}

QString resultSummary(const terse::CompressionResult &r)
{
    return QCoreApplication::translate("terse::app::ResultAdapter",
                                       "%1 → %2 %3s (%4% kept, requested %5%) · %6 ms")
        .arg(r.tokensIn)
        .arg(r.tokensOut)
        .arg(QString::fromStdString(r.unitName))
        .arg(100.0 * r.achievedRate, 0, 'f', 1)
        .arg(100.0 * r.requestedRate, 0, 'f', 1)
        .arg(r.totalMs, 0, 'f', 1);
}

}  // namespace terse::app
