#include "cost_model.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>

#include <algorithm>
#include <cmath>

namespace terse::app {

CostEstimate estimateCost(long tokensIn, long tokensOut, double compressionMs,
                          const TargetPreset &preset)
{
    CostEstimate e;
    e.tokensIn = std::max(0L, tokensIn);
    e.tokensOut = std::clamp(tokensOut, 0L, e.tokensIn);
    e.tokensSaved = e.tokensIn - e.tokensOut;
    e.savedPerCall = static_cast<double>(e.tokensSaved) * preset.dollarsPerMillionInput / 1e6;
    e.savedPer1kCalls = e.savedPerCall * 1000.0;
    const double tps = preset.prefillTokensPerSecond > 0 ? preset.prefillTokensPerSecond : 1.0;
    e.prefillOriginalS = static_cast<double>(e.tokensIn) / tps;
    e.prefillCompressedS = static_cast<double>(e.tokensOut) / tps;
    e.prefillSavedS = e.prefillOriginalS - e.prefillCompressedS;
    e.compressionS = std::max(0.0, compressionMs) / 1000.0;
    e.netLatencyS = e.prefillSavedS - e.compressionS;
    e.paysOffInLatency = e.netLatencyS > 0;
    e.breakEvenTokensPerSecond = e.tokensSaved > 0 && e.compressionS > 0
                                     ? static_cast<double>(e.tokensSaved) / e.compressionS
                                     : (e.tokensSaved > 0 ? INFINITY : 0.0);
    return e;
}

QList<TargetPreset> defaultTargetPresets()
{
    // Named in the user's language at first start; after that they are the user's own.
    auto name = [](const char *text) {
        return QCoreApplication::translate("terse::app::CostPanel", text);
    };
    return {
        {name(QT_TRANSLATE_NOOP("terse::app::CostPanel", "Hosted large model")), 2.50, 2000},
        {name(QT_TRANSLATE_NOOP("terse::app::CostPanel", "Hosted small model")), 0.15, 5000},
        {name(QT_TRANSLATE_NOOP("terse::app::CostPanel", "Local 8B model on a GPU")), 0.0, 3000},
        {name(QT_TRANSLATE_NOOP("terse::app::CostPanel", "Local 8B model on a CPU")), 0.0, 60},
    };
}

namespace {
const char *kPresetsKey = "cost/presets";
const char *kCurrentKey = "cost/current";
} // namespace

QList<TargetPreset> storedTargetPresets()
{
    QList<TargetPreset> presets =
        presetsFromJson(QSettings().value(QLatin1String(kPresetsKey)).toString());
    return presets.isEmpty() ? defaultTargetPresets() : presets;
}

int storedTargetPresetIndex()
{
    return std::clamp(QSettings().value(QLatin1String(kCurrentKey), 0).toInt(), 0,
                      static_cast<int>(storedTargetPresets().size()) - 1);
}

void storeTargetPresets(const QList<TargetPreset> &presets, int current)
{
    QSettings s;
    s.setValue(QLatin1String(kPresetsKey), presetsToJson(presets));
    s.setValue(QLatin1String(kCurrentKey), current);
}

QString presetsToJson(const QList<TargetPreset> &presets)
{
    QJsonArray a;
    for (const auto &p : presets)
        a.append(QJsonObject{{QStringLiteral("name"), p.name},
                             {QStringLiteral("dollarsPerMillionInput"), p.dollarsPerMillionInput},
                             {QStringLiteral("prefillTokensPerSecond"), p.prefillTokensPerSecond}});
    return QString::fromUtf8(QJsonDocument(a).toJson(QJsonDocument::Compact));
}

QList<TargetPreset> presetsFromJson(const QString &json)
{
    QList<TargetPreset> out;
    const QJsonDocument doc = QJsonDocument::fromJson(json.toUtf8());
    for (const QJsonValue &v : doc.array()) {
        const QJsonObject o = v.toObject();
        TargetPreset p{o.value(QStringLiteral("name")).toString().trimmed(),
                       o.value(QStringLiteral("dollarsPerMillionInput")).toDouble(-1),
                       o.value(QStringLiteral("prefillTokensPerSecond")).toDouble(-1)};
        if (p.name.isEmpty() || !(p.dollarsPerMillionInput >= 0) ||
            !(p.prefillTokensPerSecond > 0) || !std::isfinite(p.dollarsPerMillionInput) ||
            !std::isfinite(p.prefillTokensPerSecond))
            continue;
        out.append(p);
    }
    return out;
}

} // namespace terse::app
