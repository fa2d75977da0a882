#pragma once
// Shared by the app tests of issue #8: a private settings/database home, a compressor factory that
// counts full runs, and clicking a token of the heatmap.

#include "main_window.h"

#include "terse/compressor.h"
#include "terse_widgets/token_heatmap_view.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QFile>
#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>

namespace terse::testutil {

inline std::atomic<int> g_fullRuns{0};

// Counts full runs of a registry method (re-thresholding is not counted).
class CountingCompressor : public terse::Compressor {
public:
    explicit CountingCompressor(std::unique_ptr<terse::Compressor> inner)
        : m_inner(std::move(inner))
    {
    }
    std::string name() const override { return m_inner->name(); }
    std::string displayName() const override { return m_inner->displayName(); }
    std::string description() const override { return m_inner->description(); }
    std::vector<terse::OptionSpec> options() const override { return m_inner->options(); }
    terse::Result<terse::CompressionResult> compress(const terse::Prompt &p,
                                                     const terse::CompressOptions &o,
                                                     const terse::JobContext &j) override
    {
        ++g_fullRuns;
        return m_inner->compress(p, o, j);
    }
    bool canRethreshold(const terse::CompressionResult &a, const terse::CompressOptions &b,
                        const terse::CompressOptions &c) const override
    {
        return m_inner->canRethreshold(a, b, c);
    }
    terse::Result<terse::CompressionResult>
    rethreshold(const terse::CompressionResult &a, const terse::CompressOptions &b) const override
    {
        return m_inner->rethreshold(a, b);
    }

private:
    std::unique_ptr<terse::Compressor> m_inner;
};

inline terse::Result<std::unique_ptr<terse::Compressor>> countingFactory(const std::string &name)
{
    auto c = terse::createCompressor(name);
    if (!c)
        return c.error();
    return std::unique_ptr<terse::Compressor>(
        std::make_unique<CountingCompressor>(std::move(c.value())));
}

// Points settings, the session database and the HF cache at `home` (never the user's).
inline void usePrivateHome(const QTemporaryDir &home, const char *app)
{
    qputenv("XDG_DATA_HOME", home.filePath(QStringLiteral("data")).toUtf8());
    qputenv("XDG_CONFIG_HOME", home.filePath(QStringLiteral("config")).toUtf8());
    qputenv("HF_HUB_CACHE", home.filePath(QStringLiteral("hf")).toUtf8());
    QCoreApplication::setOrganizationName(QStringLiteral("TerseTest"));
    QCoreApplication::setApplicationName(QString::fromLatin1(app));
    QSettings().clear();
}

// Selects the method `name` in the window's method combo; false if it is not listed.
inline bool selectMethod(terse::app::MainWindow &w, const QString &name)
{
    auto *combo = w.methodCombo();
    const int i = combo->findData(name);
    if (i < 0)
        return false;
    combo->setCurrentIndex(i);
    return true;
}

// Runs the window's compression and waits for the result (false on failure or timeout).
inline bool runAndWait(terse::app::MainWindow &w, int timeoutMs = 20000)
{
    QSignalSpy shown(&w, &terse::app::MainWindow::resultShown);
    w.runCompression();
    return shown.wait(timeoutMs);
}

// Clicks token `index` of the heatmap with `modifiers` (the real mouse path: press + release).
inline bool clickToken(terse::widgets::TokenHeatmapView *view, int index,
                       Qt::KeyboardModifiers modifiers = {})
{
    view->ensureCursorVisible();
    const QRect r = view->tokenRect(index);
    if (r.isEmpty() && r.width() <= 0)
        return false;
    QPoint at(r.left() + 2, r.center().y());
    if (view->tokenAt(at) != index)
        return false;
    QTest::mouseClick(view->viewport(), Qt::LeftButton, modifiers, at);
    return true;
}

// Index of the first unit whose text (trimmed) is `word`, or -1.
inline int unitIndex(const terse::CompressionResult &r, const std::string &word)
{
    for (std::size_t i = 0; i < r.units.size(); ++i) {
        const auto &u = r.units[i];
        std::string t = r.segments[u.segment].text.substr(u.span.begin, u.span.size());
        while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back())))
            t.pop_back();
        if (t == word)
            return static_cast<int>(i);
    }
    return -1;
}

} // namespace terse::testutil
