#include "exporter.h"

#include "engine_terms.h"

#include "result_adapter.h"

#include "terse_widgets/token_heatmap_view.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QSaveFile>

#include <algorithm>
#include <cmath>

namespace terse::app {

namespace {

QString num(double v, int decimals = 3)
{
    return std::isfinite(v) ? QString::number(v, 'f', decimals) : QStringLiteral("—");
}
QString count(long v)
{
    return v >= 0 ? QString::number(v) : QStringLiteral("—");
}

QJsonObject metricsJson(const ExportEntry &e)
{
    QJsonObject m;
    m[QStringLiteral("rouge_1")] = e.metrics.rouge1;
    m[QStringLiteral("rouge_l")] = e.metrics.rougeL;
    m[QStringLiteral("bleu")] = e.metrics.bleu;
    m[QStringLiteral("target_tokens_in")] = static_cast<qint64>(e.metrics.targetTokensIn);
    m[QStringLiteral("target_tokens_out")] = static_cast<qint64>(e.metrics.targetTokensOut);
    return m;
}

// The engine's options encoding (the session store's), so exports and stored sessions read alike.
QJsonObject optionsJson(const terse::CompressOptions &o)
{
    return QJsonDocument::fromJson(
               QByteArray::fromStdString(terse::compressOptionsToJson(o, false)))
        .object();
}

QJsonObject resultObject(const ExportEntry &e)
{
    const std::string json = terse::resultToJson(*e.result, false);
    QJsonObject r = QJsonDocument::fromJson(QByteArray::fromStdString(json)).object();
    r[QStringLiteral("metrics")] = metricsJson(e);
    return r;
}

QString csvField(const QString &s)
{
    if (s.contains(QLatin1Char(',')) || s.contains(QLatin1Char('"')) ||
        s.contains(QLatin1Char('\n')) || s.contains(QLatin1Char('\r')) || s != s.trimmed()) {
        QString q = s;
        q.replace(QLatin1Char('"'), QStringLiteral("\"\""));
        return QLatin1Char('"') + q + QLatin1Char('"');
    }
    return s;
}

QString mdCell(QString s)
{
    s.replace(QLatin1Char('|'), QStringLiteral("\\|"));
    s.replace(QLatin1Char('\n'), QLatin1Char(' '));
    return s;
}

QString unitText(const terse::CompressionResult &r, const terse::Unit &u)
{
    if (u.segment < 0 || u.segment >= static_cast<int>(r.segments.size()))
        return {};
    const std::string &s = r.segments[static_cast<std::size_t>(u.segment)].text;
    const std::size_t end = std::min(u.span.end, s.size());
    const std::size_t begin = std::min(u.span.begin, end);
    return QString::fromUtf8(s.data() + begin, static_cast<qsizetype>(end - begin));
}

// The series a heatmap colours by: the one with a threshold (what decided), else the first score.
const terse::ScoreSeries *colourSeries(const terse::CompressionResult &r)
{
    for (const auto &t : r.thresholds)
        if (const auto *s = r.series(t.series))
            return s;
    return r.scores.empty() ? nullptr : &r.scores.front();
}

} // namespace

bool Exporter::formatForPath(const QString &path, Format *format)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    Format f;
    if (suffix == QLatin1String("json"))
        f = Format::Json;
    else if (suffix == QLatin1String("md") || suffix == QLatin1String("markdown"))
        f = Format::Markdown;
    else if (suffix == QLatin1String("html") || suffix == QLatin1String("htm"))
        f = Format::Html;
    else if (suffix == QLatin1String("csv"))
        f = Format::Csv;
    else if (suffix == QLatin1String("png"))
        f = Format::Png;
    else if (suffix == QLatin1String("svg"))
        f = Format::Svg;
    else
        return false;
    *format = f;
    return true;
}

QString Exporter::suffixFor(Format format)
{
    switch (format) {
    case Format::Json:
        return QStringLiteral("json");
    case Format::Markdown:
        return QStringLiteral("md");
    case Format::Html:
        return QStringLiteral("html");
    case Format::Csv:
        return QStringLiteral("csv");
    case Format::Png:
        return QStringLiteral("png");
    case Format::Svg:
        return QStringLiteral("svg");
    }
    return {};
}

QString Exporter::filterFor(Format format)
{
    switch (format) {
    case Format::Json:
        return tr("JSON (*.json)");
    case Format::Markdown:
        return tr("Markdown (*.md *.markdown)");
    case Format::Html:
        return tr("HTML report (*.html *.htm)");
    case Format::Csv:
        return tr("CSV, one row per token (*.csv)");
    case Format::Png:
        return tr("PNG image (*.png)");
    case Format::Svg:
        return tr("SVG image (*.svg)");
    }
    return {};
}

ExportEntry Exporter::entryFor(const ResultHandle &result)
{
    ExportEntry e;
    e.result = result;
    if (result) {
        e.label = resultLabel(*result);
        e.metrics = measureResult(*result);
    }
    return e;
}

QByteArray Exporter::resultJson(const ExportEntry &e)
{
    if (!e.result)
        return {};
    QJsonObject r = resultObject(e);
    if (e.hasOptions)
        r[QStringLiteral("options")] = optionsJson(e.options);
    return QJsonDocument(r).toJson(QJsonDocument::Indented);
}

QByteArray Exporter::comparisonJson(const std::vector<ExportEntry> &entries)
{
    QJsonObject root;
    root[QStringLiteral("format")] = QStringLiteral("terse-comparison");
    root[QStringLiteral("version")] = 1;
    if (!entries.empty() && entries.front().result)
        root[QStringLiteral("original")] =
            QString::fromStdString(originalText(*entries.front().result));
    QJsonArray runs;
    for (const auto &e : entries) {
        if (!e.result)
            continue;
        QJsonObject run;
        run[QStringLiteral("label")] = e.label;
        if (e.hasOptions)
            run[QStringLiteral("options")] = optionsJson(e.options);
        run[QStringLiteral("metrics")] = metricsJson(e);
        run[QStringLiteral("result")] = resultObject(e);
        runs.append(run);
    }
    root[QStringLiteral("runs")] = runs;
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

QStringList Exporter::metricsHeader()
{
    return {tr("Settings"),         tr("Units in"),          tr("Units out"),
            tr("Target tokens in"), tr("Target tokens out"), tr("Achieved rate"),
            tr("ROUGE-1"),          tr("ROUGE-L"),           tr("BLEU"),
            tr("Total ms"),         tr("Forward ms")};
}

QByteArray Exporter::markdown(const std::vector<ExportEntry> &entries)
{
    QString md;
    md += QLatin1String("# ") +
          (entries.size() == 1 ? tr("Terse compression result") : tr("Terse comparison")) +
          QLatin1String("\n\n");
    const QStringList header = metricsHeader();
    md += QLatin1String("| ") + header.join(QLatin1String(" | ")) + QLatin1String(" |\n|");
    for (int i = 0; i < header.size(); ++i)
        md += i == 0 ? QLatin1String("---|") : QLatin1String("---:|");
    md += QLatin1Char('\n');
    for (const auto &e : entries) {
        if (!e.result)
            continue;
        const auto &r = *e.result;
        const QStringList row = {
            mdCell(e.label),
            QStringLiteral("%1 %2s").arg(r.tokensIn).arg(QString::fromStdString(r.unitName)),
            QString::number(r.tokensOut),
            count(e.metrics.targetTokensIn),
            count(e.metrics.targetTokensOut),
            num(r.achievedRate),
            num(e.metrics.rouge1),
            num(e.metrics.rougeL),
            num(e.metrics.bleu),
            num(r.totalMs, 1),
            num(r.forwardMs, 1)};
        md += QLatin1String("| ") + row.join(QLatin1String(" | ")) + QLatin1String(" |\n");
    }
    for (const auto &e : entries) {
        if (!e.result)
            continue;
        const QString text = QString::fromStdString(e.result->compressedText);
        QString fence = QStringLiteral("```");
        while (text.contains(fence)) // a fence longer than any backtick run inside the text
            fence += QLatin1Char('`');
        md += QLatin1String("\n## ") + mdCell(e.label) + QLatin1String("\n\n") + fence +
              QLatin1String("text\n") + text +
              (text.endsWith(QLatin1Char('\n')) ? QString() : QStringLiteral("\n")) + fence +
              QLatin1Char('\n');
    }
    return md.toUtf8();
}

QByteArray Exporter::html(const std::vector<ExportEntry> &entries)
{
    const QString title =
        entries.size() == 1 ? tr("Terse compression result") : tr("Terse comparison");
    QString h;
    h += QStringLiteral(
             "<!DOCTYPE html>\n<html lang=\"%1\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
             .arg(QLocale().bcp47Name().toHtmlEscaped()) +
         title.toHtmlEscaped() + QStringLiteral("</title>\n");
    h += QStringLiteral(
             "<style>\n"
             "body{font-family:system-ui,-apple-system,'Segoe "
             "UI',sans-serif;margin:2em;color:#1d1d1f;max-width:70em}\n"
             "table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:4px "
             "8px}"
             "td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f2f2f2}\n"
             ".tokens{white-space:pre-wrap;line-height:1.7;border:1px solid "
             "#ddd;padding:1em;border-radius:6px}\n"
             ".kept{color:#1d1d1f}.dropped,s.dropped{color:#8a8a8a;text-decoration:line-through}\n"
             ".legend{display:flex;gap:1.5em;align-items:center;flex-wrap:wrap;margin:1em "
             "0;font-size:0.9em}\n"
             ".ramp{display:inline-block;width:10em;height:1em;vertical-align:middle;border:1px "
             "solid #ccc;"
             "background:linear-gradient(to right,%1,%2,%3)}\n"
             "pre{white-space:pre-wrap;background:#f7f7f7;padding:1em;border-radius:6px}\n"
             "</style>\n</head>\n<body>\n")
             .arg(terse::widgets::heatColor(0, false).name(),
                  terse::widgets::heatColor(0.5, false).name(),
                  terse::widgets::heatColor(1, false).name());
    h += QStringLiteral("<h1>") + title.toHtmlEscaped() + QStringLiteral("</h1>\n");
    h += QStringLiteral("<table>\n<tr>");
    for (const QString &c : metricsHeader())
        h += QStringLiteral("<th>") + c.toHtmlEscaped() + QStringLiteral("</th>");
    h += QStringLiteral("</tr>\n");
    for (const auto &e : entries) {
        if (!e.result)
            continue;
        const auto &r = *e.result;
        h += QStringLiteral("<tr><td>") + e.label.toHtmlEscaped() + QStringLiteral("</td>");
        for (const QString &c :
             {QStringLiteral("%1 %2s").arg(r.tokensIn).arg(QString::fromStdString(r.unitName)),
              QString::number(r.tokensOut), count(e.metrics.targetTokensIn),
              count(e.metrics.targetTokensOut), num(r.achievedRate), num(e.metrics.rouge1),
              num(e.metrics.rougeL), num(e.metrics.bleu), num(r.totalMs, 1), num(r.forwardMs, 1)})
            h += QStringLiteral("<td class=\"n\">") + c.toHtmlEscaped() + QStringLiteral("</td>");
        h += QStringLiteral("</tr>\n");
    }
    h += QStringLiteral("</table>\n");
    h += QStringLiteral("<div class=\"legend\"><span><span class=\"ramp\"></span> %1</span>"
                        "<span class=\"kept\">%2</span><s class=\"dropped\">%3</s></div>\n")
             .arg(tr("score: low → high (relative within each result)").toHtmlEscaped(),
                  tr("kept").toHtmlEscaped(), tr("dropped").toHtmlEscaped());
    for (const auto &e : entries) {
        if (!e.result)
            continue;
        const auto &r = *e.result;
        const terse::ScoreSeries *s = colourSeries(r);
        // One coloured span per word where the app shows words (HeatmapCells), with the pooled
        // score.
        const HeatmapCells cells = heatmapCells(r);
        const QVector<double> values = s ? cells.pool(s->values, s->name) : QVector<double>();
        double lo = 0, hi = 1;
        if (s) {
            std::vector<double> finite;
            for (double v : values)
                if (std::isfinite(v))
                    finite.push_back(v);
            if (!finite.empty()) {
                std::sort(finite.begin(), finite.end());
                // Robust bounds (5th-95th percentile), as the heatmap view uses.
                lo =
                    finite[static_cast<std::size_t>(0.05 * static_cast<double>(finite.size() - 1))];
                hi =
                    finite[static_cast<std::size_t>(0.95 * static_cast<double>(finite.size() - 1))];
                if (hi <= lo)
                    hi = lo + 1;
            }
        }
        h += QStringLiteral("<h2>") + e.label.toHtmlEscaped() + QStringLiteral("</h2>\n");
        if (s)
            h += QStringLiteral("<p>") +
                 tr("Coloured by: %1").arg(EngineTerms::scoreName(s->name)).toHtmlEscaped() +
                 QStringLiteral("</p>\n");
        h += QStringLiteral("<div class=\"tokens\">");
        int prevSegment = -1;
        for (std::size_t c = 0; c < cells.first.size(); ++c) {
            const int first = cells.first[c], last = cells.lastUnit(static_cast<int>(c));
            const auto &u = r.units[static_cast<std::size_t>(first)];
            if (prevSegment >= 0 && u.segment != prevSegment)
                h += QStringLiteral("\n\n");
            prevSegment = u.segment;
            QString word;
            bool kept = false;
            for (int k = first; k <= last; ++k) {
                word += unitText(r, r.units[static_cast<std::size_t>(k)]);
                kept = kept || r.units[static_cast<std::size_t>(k)].kept;
            }
            const QString text = word.toHtmlEscaped();
            QString style;
            QString tip;
            if (s && static_cast<qsizetype>(c) < values.size() &&
                std::isfinite(values[static_cast<qsizetype>(c)])) {
                const double v = values[static_cast<qsizetype>(c)];
                const double t = (v - lo) / (hi - lo);
                style = QStringLiteral(" style=\"background:%1\"")
                            .arg(terse::widgets::heatColor(t, false).name());
                tip = QStringLiteral(" title=\"%1 %2\"")
                          .arg(EngineTerms::scoreName(s->name).toHtmlEscaped())
                          .arg(v, 0, 'g', 4);
            }
            if (kept)
                h += QStringLiteral("<span class=\"kept\"%1%2>%3</span>").arg(style, tip, text);
            else
                h += QStringLiteral("<s class=\"dropped\"%1%2>%3</s>").arg(style, tip, text);
        }
        h += QStringLiteral("</div>\n<h3>") + tr("Compressed text").toHtmlEscaped() +
             QStringLiteral("</h3>\n<pre>") +
             QString::fromStdString(r.compressedText).toHtmlEscaped() + QStringLiteral("</pre>\n");
    }
    h += QStringLiteral("</body>\n</html>\n");
    return h.toUtf8();
}

QByteArray Exporter::csv(const std::vector<ExportEntry> &entries)
{
    const bool several = entries.size() > 1;
    QStringList series;
    for (const auto &e : entries)
        if (e.result)
            for (const auto &s : e.result->scores)
                if (!series.contains(QString::fromStdString(s.name)))
                    series << QString::fromStdString(s.name);
    QStringList header;
    if (several)
        header << QStringLiteral("run");
    header << QStringLiteral("index") << QStringLiteral("text") << QStringLiteral("kept");
    for (const QString &s : series)
        header << csvField(s);
    QString out = header.join(QLatin1Char(',')) + QStringLiteral("\r\n");
    for (const auto &e : entries) {
        if (!e.result)
            continue;
        const auto &r = *e.result;
        std::vector<const terse::ScoreSeries *> cols;
        for (const QString &name : series)
            cols.push_back(r.series(name.toStdString()));
        for (std::size_t i = 0; i < r.units.size(); ++i) {
            QStringList row;
            if (several)
                row << csvField(e.label);
            row << QString::number(i) << csvField(unitText(r, r.units[i]))
                << (r.units[i].kept ? QStringLiteral("1") : QStringLiteral("0"));
            for (const auto *c : cols)
                row << ((c && i < c->values.size() && std::isfinite(c->values[i]))
                            ? QString::number(c->values[i], 'g', 7)
                            : QString());
            out += row.join(QLatin1Char(',')) + QStringLiteral("\r\n");
        }
    }
    return out.toUtf8();
}

QByteArray Exporter::format(const std::vector<ExportEntry> &entries, Format f)
{
    switch (f) {
    case Format::Json:
        return entries.size() == 1 ? resultJson(entries.front()) : comparisonJson(entries);
    case Format::Markdown:
        return markdown(entries);
    case Format::Html:
        return html(entries);
    case Format::Csv:
        return csv(entries);
    case Format::Png:
    case Format::Svg:
        return {};
    }
    return {};
}

bool Exporter::writeFile(const QString &path, const QByteArray &bytes, QString *error)
{
    const QFileInfo info(path);
    const QString name = QDir::toNativeSeparators(info.absoluteFilePath());
    auto failWith = [&](const QString &reason) {
        if (error)
            *error = tr("Cannot write “%1”: %2").arg(name, reason);
        return false;
    };
    if (bytes.isEmpty())
        return failWith(tr("there is nothing to write."));
    const QFileInfo dir(info.absolutePath());
    if (!dir.exists())
        return failWith(tr("the folder “%1” does not exist.")
                            .arg(QDir::toNativeSeparators(dir.absoluteFilePath())));
    if (info.isDir())
        return failWith(tr("it is a folder."));
    if (info.exists() && !info.isWritable())
        return failWith(tr("the file is read-only."));
    // QSaveFile writes a temporary file and renames it over the target only after everything was
    // written, so a failed export never destroys an existing file.
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return failWith(f.errorString());
    if (f.write(bytes) != bytes.size()) {
        const QString reason = f.errorString();
        f.cancelWriting();
        return failWith(reason);
    }
    if (!f.commit())
        return failWith(f.errorString());
    return true;
}

} // namespace terse::app
