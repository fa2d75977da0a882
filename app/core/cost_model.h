#pragma once
// The arithmetic of the Cost panel: what a compressed prompt saves on a target model (input-token
// price, prefill throughput) against what compressing it cost on this machine. Plain values, no Qt
// widgets.

#include <QList>
#include <QString>

namespace terse::app {

// A target model's input price and prefill speed (editable presets, kept in the settings).
struct TargetPreset {
    QString name;
    double dollarsPerMillionInput = 0; // $ per 1M input tokens
    double prefillTokensPerSecond = 0; // how fast the target reads the prompt (> 0)

    bool operator==(const TargetPreset &o) const = default;
};

struct CostEstimate {
    long tokensIn = 0; // prompt tokens in the target tokenizer
    long tokensOut = 0;
    long tokensSaved = 0;
    double savedPerCall = 0;     // $ per call
    double savedPer1kCalls = 0;  // $ per 1,000 calls
    double prefillOriginalS = 0; // seconds the target spends reading each prompt
    double prefillCompressedS = 0;
    double prefillSavedS = 0;
    double compressionS = 0; // what compressing took here
    double netLatencyS = 0;  // prefill saved minus compression time: > 0 when the user waits less
    bool paysOffInLatency = false;
    // Prefill throughput below which compressing pays off in latency (tokens saved / compression
    // time); 0 when nothing is saved.
    double breakEvenTokensPerSecond = 0;
};

// Estimates for one result: `tokensIn` → `tokensOut` target tokens, compressed in `compressionMs`.
CostEstimate estimateCost(long tokensIn, long tokensOut, double compressionMs,
                          const TargetPreset &preset);

// The presets a first start offers: examples to edit, not quotes.
QList<TargetPreset> defaultTargetPresets();

// The presets the Cost panel keeps in the settings (the defaults when there are none), and the
// selected one.
QList<TargetPreset> storedTargetPresets();
int storedTargetPresetIndex();
void storeTargetPresets(const QList<TargetPreset> &presets, int current);

// Presets as kept in the settings (a JSON array) and back; unreadable entries are skipped.
QString presetsToJson(const QList<TargetPreset> &presets);
QList<TargetPreset> presetsFromJson(const QString &json);

} // namespace terse::app
