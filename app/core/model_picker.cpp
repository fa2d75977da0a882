#include "model_picker.h"

#include "engine_host.h"

#include "terse/weights.h"

#include "terse/resources.h"
#include "terse/weights.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QMenu>
#include <QSettings>
#include <QStandardItemModel>
#include <QToolButton>

namespace terse::app {

namespace {
const QString kAddedKey = QStringLiteral("models/added");
}

ModelPicker::ModelPicker(QWidget *parent) : QWidget(parent)
{
    auto *h = new QHBoxLayout(this);
    h->setContentsMargins(0, 0, 0, 0);
    m_combo = new QComboBox(this);
    m_combo->setObjectName(QStringLiteral("modelCombo"));
    m_combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_combo->setMinimumContentsLength(10); // the full name is in the tooltip; leaves room in German
    m_combo->setToolTip(tr("Model that scores the prompt"));
    m_add = new QToolButton(this);
    m_add->setObjectName(QStringLiteral("addModelButton"));
    m_add->setText(tr("Add model…"));
    m_add->setToolTip(tr("Add a model file (.safetensors, .gguf, .bin) or a model folder"));
    m_add->setPopupMode(QToolButton::InstantPopup);
    auto *menu = new QMenu(m_add);
    menu->addAction(tr("Model &Folder…"), this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Add model folder"));
        if (!dir.isEmpty())
            addModelPath(dir);
    });
    menu->addAction(tr("Model &File…"), this, [this] {
        const QString file = QFileDialog::getOpenFileName(
            this, tr("Add model file"), QString(),
            tr("Model files (*.safetensors *.gguf *.bin);;All files (*)"));
        if (!file.isEmpty())
            addModelPath(file);
    });
    m_add->setMenu(menu);
    h->addWidget(m_combo, 1);
    h->addWidget(m_add);
    connect(m_combo, &QComboBox::currentIndexChanged, this,
            [this] { emit modelChanged(currentModelPath()); });
    rebuild();
}

void ModelPicker::addItem(const QString &text, const QString &path, const QString &tooltip,
                          bool enabled)
{
    m_combo->addItem(text, path);
    const int i = m_combo->count() - 1;
    m_combo->setItemData(i, m_info.value(path, tooltip), Qt::ToolTipRole);
    if (!enabled)
        if (auto *model = qobject_cast<QStandardItemModel *>(m_combo->model()))
            model->item(i)->setEnabled(false);
}

void ModelPicker::rebuild(const QString &hfRoot)
{
    if (!hfRoot.isEmpty())
        m_hfRoot = hfRoot;
    const QString current = m_combo->count() ? currentModelPath() : QString();
    const QSignalBlocker block(m_combo);
    m_combo->clear();
    addItem(tr("Method default"), QString(), tr("Each method uses its own default model"));

    const struct {
        terse::DefaultModel which;
        QString name;
    } defaults[] = {{terse::DefaultModel::CausalLM, tr("Terse LM")},
                    {terse::DefaultModel::Tagger, tr("Terse tagger")}};
    for (const auto &d : defaults) {
        auto path = terse::defaultModelPath(d.which);
        if (path)
            addItem(tr("%1 (bundled)").arg(d.name), QString::fromStdString(*path),
                    QString::fromStdString(*path));
        else
            addItem(tr("%1 (not installed)").arg(d.name), QStringLiteral("\x01missing"),
                    QString::fromStdString(path.error().detail), false);
    }

    const QStringList added = QSettings().value(kAddedKey).toStringList();
    for (const QString &p : added)
        addItem(QFileInfo(p).fileName(), p, QDir::toNativeSeparators(p), QFileInfo::exists(p));

    auto cached = terse::scanHuggingFaceCache(m_hfRoot.toStdString());
    if (cached) {
        for (const auto &m : *cached) {
            const QString path = QString::fromStdString(m.path);
            QString tip =
                tr("HuggingFace cache: %1\n%2").arg(QString::fromStdString(m.repoId), path);
            if (m.hasPickleOnly)
                tip += QLatin1Char('\n') +
                       tr("Only pickle weights: convert to safetensors to use it.");
            const QString name =
                m.gguf ? QStringLiteral("%1: %2").arg(QString::fromStdString(m.repoId),
                                                      QFileInfo(path).fileName())
                       : QString::fromStdString(m.repoId);
            addItem(tr("%1 (HF cache)").arg(name), path, tip, m.hasSafetensors);
        }
    }
    const int i = m_combo->findData(current);
    m_combo->setCurrentIndex(i >= 0 ? i : 0);
}

QString ModelPicker::currentModelPath() const
{
    return m_combo->currentData().toString();
}

void ModelPicker::setCurrentModelPath(const QString &path)
{
    int i = m_combo->findData(path);
    if (i < 0) {
        addItem(QFileInfo(path).fileName(), path, QDir::toNativeSeparators(path),
                QFileInfo::exists(path));
        i = m_combo->count() - 1;
    }
    m_combo->setCurrentIndex(i);
}

bool ModelPicker::addModelPath(const QString &path)
{
    const QFileInfo info(path);
    if (!info.exists()) {
        m_lastError = tr("'%1' does not exist.").arg(path);
        emit errorOccurred(m_lastError);
        return false;
    }
    const QString clean = QDir::cleanPath(info.absoluteFilePath());
    // Issue 20: a folder or file that holds no model is refused with the reason, not listed
    // (headers only: the weights are read when the model loads).
    const terse::EngineApi *engine = EngineHost::require(); // loaded by now, or loads here
    if (!engine) {
        m_lastError = tr("Cannot check '%1': %2").arg(clean, EngineHost::loadError());
        emit errorOccurred(m_lastError);
        return false;
    }
    if (auto checked = engine->inspectWeights(clean.toStdString(), false); !checked) {
        m_lastError = tr("'%1' holds no model Terse can load: %2")
                          .arg(clean, QString::fromStdString(checked.error().detail));
        emit errorOccurred(m_lastError);
        return false;
    }
    m_lastError.clear();
    QSettings s;
    QStringList added = s.value(kAddedKey).toStringList();
    if (!added.contains(clean)) {
        added.append(clean);
        s.setValue(kAddedKey, added);
    }
    rebuild();
    setCurrentModelPath(clean);
    return true;
}

void ModelPicker::setModelInfo(const QString &path, const QString &info)
{
    m_info.insert(path, info);
    const int i = m_combo->findData(path);
    if (i >= 0)
        m_combo->setItemData(i, info, Qt::ToolTipRole);
    if (currentModelPath() == path)
        m_combo->setToolTip(info);
}

} // namespace terse::app
