#include "parameter_panel.h"

#include "engine_host.h"

#include "result_adapter.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QVBoxLayout>

#include <algorithm>
#include <climits>
#include <cmath>

namespace terse::app {

namespace {
constexpr int kMaxSliderSteps = 10000;
constexpr std::uint64_t kDefaultSeed = 42; // CompressOptions::seed's default

int decimalsFor(double step)
{
    if (step <= 0)
        return 3;
    return std::clamp(static_cast<int>(std::ceil(-std::log10(step) - 1e-9)), 0, 6);
}

QString fromStd(const std::string &s)
{
    return QString::fromStdString(s);
}

// A word-wrapped label that asks for the height its lines take at its width: QFormLayout gives a
// label in a row beside a short control (a check box, a line edit) only the control's height,
// clipping the label's second line ("Keep compress=false contexts (default true):").
class WrappedLabel : public QLabel {
public:
    WrappedLabel(const QString &text, QWidget *parent) : QLabel(text, parent) { setWordWrap(true); }

protected:
    void resizeEvent(QResizeEvent *event) override
    {
        QLabel::resizeEvent(event);
        if (const int h = heightForWidth(width()); h > 0 && h != minimumHeight())
            setMinimumHeight(h); // the layout runs again with it
    }
};
} // namespace

void ParameterPanel::updateDevices()
{
    // Asked once per process: every panel (the dock, each Compare row's dialog) shows the same.
    static int gpuUsable = -1; // -1: not asked yet (the engine has not loaded)
    const terse::EngineApi *engine = EngineHost::api();
    if (engine && gpuUsable < 0)
        gpuUsable = engine->resolveDevice("cuda") ? 1 : 0;
    if (auto *items = qobject_cast<QStandardItemModel *>(m_device->model()))
        items->item(2)->setEnabled(gpuUsable == 1);
    if (gpuUsable == 1) {
        m_device->setItemData(2, QVariant(), Qt::ToolTipRole);
        m_device->setItemData(1, QVariant(), Qt::ToolTipRole);
    } else if (gpuUsable == 0) {
        m_device->setItemData(
            2, tr("Not available: this build's libtorch has no CUDA, or no GPU is visible."),
            Qt::ToolTipRole);
        m_device->setItemData(1, tr("Runs on the CPU here: no GPU is available."), Qt::ToolTipRole);
    } else {
        m_device->setItemData(2, tr("Known once the model engine has loaded."), Qt::ToolTipRole);
    }
}

ParameterPanel::ParameterPanel(QWidget *parent) : QWidget(parent)
{
    auto *outer = new QVBoxLayout(this);
    auto *methodBox = new QGroupBox(tr("Method parameters"), this);
    m_methodForm = new QFormLayout(methodBox);
    m_methodForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_methodForm->setRowWrapPolicy(
        QFormLayout::WrapLongRows); // narrow dock: labels above their controls
    // Until the engine has loaded no method is chosen (issue 16); setOptionSpecs says the rest.
    m_noOptions = new QLabel(EngineHost::api() ? tr("This method has no parameters.")
                                               : tr("Loading the engine…"),
                             methodBox);
    m_noOptions->setObjectName(QStringLiteral("noParameters"));
    m_noOptions->setEnabled(false);
    m_methodForm->addRow(m_noOptions);
    outer->addWidget(methodBox);

    auto *commonBox = m_commonBox = new QGroupBox(tr("Common"), this);
    auto *common = new QFormLayout(commonBox);
    common->setRowWrapPolicy(QFormLayout::WrapLongRows);
    m_mode = new QComboBox(commonBox);
    m_mode->setObjectName(QStringLiteral("param_mode"));
    m_mode->addItem(tr("Corrected"), QStringLiteral("corrected"));
    m_mode->addItem(tr("Reference"), QStringLiteral("reference"));
    m_mode->setToolTip(
        tr("Corrected fixes the reference implementation's quirks so the achieved rate matches "
           "the requested one; Reference reproduces the reference exactly (parity)."));
    common->addRow(tr("Mode (default corrected):"), m_mode);
    m_seed = new QSpinBox(commonBox);
    m_seed->setObjectName(QStringLiteral("param_seed"));
    m_seed->setRange(0, INT_MAX);
    m_seed->setValue(static_cast<int>(kDefaultSeed));
    m_seed->setToolTip(tr("Random seed for methods with randomness."));
    common->addRow(tr("Seed (default %1):").arg(kDefaultSeed), m_seed);
    m_target = new QSpinBox(commonBox);
    m_target->setObjectName(QStringLiteral("param_targetTokens"));
    m_target->setRange(0, INT_MAX);
    m_target->setSpecialValueText(tr("use rate"));
    m_target->setToolTip(tr("Token budget of the output; 0 uses the rate instead."));
    common->addRow(tr("Target tokens (default 0 = rate):"), m_target);
    // Issue 16: where the models run. The GPU entries are there in every build; without CUDA in
    // this build's libtorch (or without a visible GPU) they are disabled and say why.
    m_device = new QComboBox(commonBox);
    m_device->setObjectName(QStringLiteral("param_device"));
    m_device->addItem(tr("CPU"), QStringLiteral("cpu"));
    m_device->addItem(tr("Automatic (the GPU when there is one)"), QStringLiteral("auto"));
    m_device->addItem(tr("GPU (CUDA)"), QStringLiteral("cuda"));
    updateDevices();
    if (!EngineHost::api()) // the GPU entry is decided when the engine has loaded (issue 16)
        connect(EngineHost::instance(), &EngineHost::ready, this, &ParameterPanel::updateDevices);
    m_device->setToolTip(tr("Where the models run. Methods without a model ignore it."));
    common->addRow(tr("Device (default CPU):"), m_device);
    // Issue 15: the word vectors corrected-mode BM25 ranking matches near-synonyms with.
    m_wordVectors = new QComboBox(commonBox);
    m_wordVectors->setObjectName(QStringLiteral("param_wordVectors"));
    m_wordVectors->addItem(tr("Bundled (terse-words)"), QStringLiteral(""));
    m_wordVectors->addItem(tr("None (exact words)"), QStringLiteral("none"));
    m_wordVectors->addItem(tr("Choose a file…")); // always the last entry
    m_wordVectors->setToolTip(
        tr("Corrected mode: the question-aware rankings (coarse ranking, question sentences, "
           "question focus) also match a question's words to near-synonyms in the text (movie "
           "~ film) through these word vectors. None matches exact words only; a file comes "
           "from `terse train vectors`. Reference mode never uses them."));
    common->addRow(tr("Word vectors (default bundled):"), m_wordVectors);
    outer->addWidget(commonBox);

    auto *reset = new QPushButton(tr("Reset to Defaults"), this);
    reset->setObjectName(QStringLiteral("resetParameters"));
    reset->setToolTip(tr("Set every parameter back to the method's default"));
    connect(reset, &QPushButton::clicked, this, &ParameterPanel::resetToDefaults);
    auto *buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(reset);
    outer->addLayout(buttons);
    outer->addStretch(1);

    connect(m_mode, &QComboBox::currentIndexChanged, this, &ParameterPanel::changed);
    connect(m_seed, &QSpinBox::valueChanged, this, &ParameterPanel::changed);
    connect(m_target, &QSpinBox::valueChanged, this, &ParameterPanel::changed);
    connect(m_device, &QComboBox::currentIndexChanged, this, &ParameterPanel::changed);
    connect(m_wordVectors, &QComboBox::activated, this, [this](int index) {
        if (index == m_wordVectors->count() - 1)
            chooseWordVectors();
    });
    connect(m_wordVectors, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (index == m_wordVectors->count() - 1)
            return;
        m_wordVectorsIndex = index;
        emit changed();
    });
}

void ParameterPanel::chooseWordVectors()
{
    const QString file = QFileDialog::getOpenFileName(
        this, tr("Word vectors"), QString(), tr("Word vectors (*.safetensors);;All files (*)"));
    if (file.isEmpty()) { // cancelled: back to what was chosen
        const QSignalBlocker block(m_wordVectors);
        m_wordVectors->setCurrentIndex(m_wordVectorsIndex);
        return;
    }
    selectWordVectors(file);
    emit changed();
}

void ParameterPanel::selectWordVectors(const QString &value)
{
    const QSignalBlocker block(m_wordVectors);
    int at = m_wordVectors->findData(value);
    if (at < 0) {
        // A file's entry goes before "Choose a file…", named by the file, its path as tooltip.
        at = m_wordVectors->count() - 1;
        m_wordVectors->insertItem(at, QFileInfo(value).fileName(), value);
        m_wordVectors->setItemData(at, value, Qt::ToolTipRole);
    }
    m_wordVectors->setCurrentIndex(at);
    m_wordVectorsIndex = at;
}

void ParameterPanel::setOptionSpecs(const std::vector<terse::OptionSpec> &specs,
                                    const std::map<std::string, std::string> &values)
{
    while (m_methodForm->rowCount() > 1)
        m_methodForm->removeRow(1); // deletes the row's widgets
    m_controls.clear();
    m_specs = specs;
    m_noOptions->setText(tr("This method has no parameters."));
    m_noOptions->setVisible(specs.empty());
    for (const auto &spec : specs) {
        Control c;
        c.spec = spec;
        const QString help = engineText(spec.help);
        const QString objectName = QStringLiteral("param_") + fromStd(spec.name);
        QWidget *field = nullptr;
        switch (spec.type) {
        case terse::OptionSpec::Type::Double: {
            auto *row = new QWidget(this);
            auto *h = new QHBoxLayout(row);
            h->setContentsMargins(0, 0, 0, 0);
            auto *spin = new QDoubleSpinBox(row);
            const double step = spec.step > 0 ? spec.step : 0.01;
            spin->setDecimals(decimalsFor(step));
            spin->setRange(spec.minValue, spec.maxValue);
            spin->setSingleStep(step);
            auto *slider = new QSlider(Qt::Horizontal, row);
            slider->setObjectName(objectName + QStringLiteral("_slider"));
            const double span = spec.maxValue - spec.minValue;
            const int steps =
                std::clamp(static_cast<int>(std::lround(span / step)), 1, kMaxSliderSteps);
            slider->setRange(0, steps);
            slider->setToolTip(help);
            h->addWidget(slider, 1);
            h->addWidget(spin);
            connect(slider, &QSlider::valueChanged, spin, [spin, spec, span, steps](int v) {
                spin->setValue(spec.minValue + span * v / steps);
            });
            connect(
                spin, &QDoubleSpinBox::valueChanged, slider, [slider, spec, span, steps](double v) {
                    const QSignalBlocker block(slider);
                    slider->setValue(
                        span > 0 ? static_cast<int>(std::lround((v - spec.minValue) / span * steps))
                                 : 0);
                });
            connect(spin, &QDoubleSpinBox::valueChanged, this, &ParameterPanel::changed);
            c.editor = spin;
            field = row;
            break;
        }
        case terse::OptionSpec::Type::Int: {
            auto *spin = new QSpinBox(this);
            const double lo = std::max<double>(spec.minValue, INT_MIN);
            const double hi =
                spec.maxValue > spec.minValue ? std::min<double>(spec.maxValue, INT_MAX) : INT_MAX;
            spin->setRange(static_cast<int>(lo), static_cast<int>(hi));
            spin->setSingleStep(std::max(1, static_cast<int>(std::lround(spec.step))));
            connect(spin, &QSpinBox::valueChanged, this, &ParameterPanel::changed);
            c.editor = field = spin;
            break;
        }
        case terse::OptionSpec::Type::Bool: {
            auto *box = new QCheckBox(this);
            connect(box, &QCheckBox::toggled, this, &ParameterPanel::changed);
            c.editor = field = box;
            break;
        }
        case terse::OptionSpec::Type::Choice: {
            auto *combo = new QComboBox(this);
            for (const auto &choice : spec.choices)
                combo->addItem(fromStd(choice), fromStd(choice));
            connect(combo, &QComboBox::currentIndexChanged, this, &ParameterPanel::changed);
            c.editor = field = combo;
            break;
        }
        case terse::OptionSpec::Type::String: {
            auto *edit = new QLineEdit(this);
            edit->setPlaceholderText(fromStd(spec.defaultValue));
            connect(edit, &QLineEdit::editingFinished, this, &ParameterPanel::changed);
            c.editor = field = edit;
            break;
        }
        }
        c.editor->setObjectName(objectName);
        c.editor->setToolTip(help);
        const QString label =
            spec.defaultValue.empty()
                ? tr("%1:").arg(engineText(spec.label))
                : tr("%1 (default %2):").arg(engineText(spec.label), fromStd(spec.defaultValue));
        auto *labelWidget = new WrappedLabel(label, this);
        labelWidget->setToolTip(help);
        labelWidget->setBuddy(c.editor);
        if (spec.type == terse::OptionSpec::Type::Bool) {
            // The label and its box on one spanning row, the box at the right.
            auto *row = new QWidget(this);
            auto *h = new QHBoxLayout(row);
            h->setContentsMargins(0, 0, 0, 0);
            h->addWidget(labelWidget, 1);
            h->addWidget(field, 0, Qt::AlignRight | Qt::AlignVCenter);
            m_methodForm->addRow(row);
        } else {
            m_methodForm->addRow(labelWidget, field);
        }
        {
            const QSignalBlocker block(c.editor);
            setControlValue(c, spec.defaultValue);
        }
        m_controls.push_back(c);
    }
    setValues(values);
}

void ParameterPanel::setControlValue(const Control &c, const std::string &value)
{
    const QString v = fromStd(value);
    if (auto *spin = qobject_cast<QDoubleSpinBox *>(c.editor)) {
        bool ok = false;
        const double d = v.toDouble(&ok);
        if (ok)
            spin->setValue(d);
        // Keep the slider in step even while the spin box's signals are blocked.
        if (auto *slider = c.editor->parentWidget()->findChild<QSlider *>()) {
            const QSignalBlocker block(slider);
            const double span = c.spec.maxValue - c.spec.minValue;
            slider->setValue(span > 0
                                 ? static_cast<int>(std::lround((spin->value() - c.spec.minValue) /
                                                                span * slider->maximum()))
                                 : 0);
        }
    } else if (auto *ispin = qobject_cast<QSpinBox *>(c.editor)) {
        bool ok = false;
        const double d = v.toDouble(&ok);
        if (ok)
            ispin->setValue(static_cast<int>(std::lround(d)));
    } else if (auto *box = qobject_cast<QCheckBox *>(c.editor)) {
        box->setChecked(v == QLatin1String("true") || v == QLatin1String("1"));
    } else if (auto *combo = qobject_cast<QComboBox *>(c.editor)) {
        const int i = combo->findData(v);
        if (i >= 0)
            combo->setCurrentIndex(i);
    } else if (auto *edit = qobject_cast<QLineEdit *>(c.editor)) {
        edit->setText(v);
    }
}

std::string ParameterPanel::controlValue(const Control &c) const
{
    if (auto *spin = qobject_cast<QDoubleSpinBox *>(c.editor))
        return QString::number(spin->value(), 'g', 10).toStdString();
    if (auto *ispin = qobject_cast<QSpinBox *>(c.editor))
        return std::to_string(ispin->value());
    if (auto *box = qobject_cast<QCheckBox *>(c.editor))
        return box->isChecked() ? "true" : "false";
    if (auto *combo = qobject_cast<QComboBox *>(c.editor))
        return combo->currentData().toString().toStdString();
    if (auto *edit = qobject_cast<QLineEdit *>(c.editor))
        return edit->text().toStdString();
    return {};
}

std::map<std::string, std::string> ParameterPanel::values() const
{
    std::map<std::string, std::string> out;
    for (const auto &c : m_controls)
        out[c.spec.name] = controlValue(c);
    return out;
}

void ParameterPanel::setValues(const std::map<std::string, std::string> &values)
{
    for (const auto &c : m_controls) {
        auto it = values.find(c.spec.name);
        if (it == values.end())
            continue;
        const QSignalBlocker block(c.editor);
        setControlValue(c, it->second);
    }
}

void ParameterPanel::applyCommon(terse::CompressOptions &options) const
{
    options.mode = m_mode->currentData().toString() == QLatin1String("reference")
                       ? terse::CompressionMode::Reference
                       : terse::CompressionMode::Corrected;
    options.seed = static_cast<std::uint64_t>(m_seed->value());
    options.targetTokens = m_target->value() > 0 ? m_target->value() : -1;
    options.device = m_device->currentData().toString().toStdString();
    options.wordVectors = m_wordVectors->itemData(m_wordVectorsIndex).toString().toStdString();
}

void ParameterPanel::setCommon(const terse::CompressOptions &options)
{
    const QSignalBlocker b1(m_mode), b2(m_seed), b3(m_target), b4(m_device);
    m_mode->setCurrentIndex(options.mode == terse::CompressionMode::Reference ? 1 : 0);
    m_seed->setValue(static_cast<int>(std::min<std::uint64_t>(options.seed, INT_MAX)));
    m_target->setValue(options.targetTokens > 0
                           ? static_cast<int>(std::min<long>(options.targetTokens, INT_MAX))
                           : 0);
    const QString device =
        options.device.empty() ? QStringLiteral("cpu") : QString::fromStdString(options.device);
    if (m_device->findData(device) < 0)
        m_device->addItem(device, device);
    m_device->setCurrentIndex(m_device->findData(device));
    selectWordVectors(QString::fromStdString(options.wordVectors));
}

void ParameterPanel::setCommonVisible(bool visible)
{
    m_commonBox->setVisible(visible);
}

void ParameterPanel::resetToDefaults()
{
    for (const auto &c : m_controls) {
        const QSignalBlocker block(c.editor);
        setControlValue(c, c.spec.defaultValue);
    }
    setCommon(terse::CompressOptions{});
    emit changed();
}

} // namespace terse::app
