#pragma once
// Plain data the views display: token texts with kept/dropped decisions and named score series.
// Built by the app's adapters from engine results; widgets never see engine types.

#include <QString>
#include <QStringList>
#include <QVector>

namespace terse::widgets {

struct HeatmapToken {
    QString text; // the token's text as it appears in the prompt (incl. trailing whitespace)
    bool kept = true;
    bool forced = false;       // decision forced (pinned, protected, instruction/question)
    bool segmentStart = false; // first token of a prompt segment (a blank line is drawn before it)
    QString reason;            // why kept or dropped, one short sentence (shown on hover)
    int pin = 0; // the user's pin: +1 force keep (green underline), -1 force drop (red), 0 none
};

struct HeatmapData {
    QVector<HeatmapToken> tokens;
    QStringList seriesNames;  // e.g. "surprisal", "entropy", "attention"
    QStringList seriesLabels; // the names as the user reads them (translated); empty: seriesNames
    QVector<QVector<double>> series; // series[s][token]; NaN where undefined
    QVector<double> thresholds;      // per series: decision threshold, NaN if none
    int totalTokens = 0;             // tokens in the full result (tokens may hold a prefix only)
};

} // namespace terse::widgets
