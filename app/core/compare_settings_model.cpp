#include "compare_settings_model.h"

#include "comparison.h"
#include "engine_host.h"
#include "engine_terms.h"
#include "result_adapter.h"
#include "retranslator.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QToolButton>

#include <algorithm>
#include <memory>

namespace terse::app {

namespace {
QString methodDisplayName(const std::string &name)
{
    for (const auto &m : engineMethods())
        if (m.name == name)
            return engineText(m.displayName);
    return QString::fromStdString(name); // a method the factory alone knows
}
} // namespace

CompareSettingsModel::CompareSettingsModel(QObject *parent)
    : QAbstractTableModel(parent),
      m_specSource([](const std::string &method) -> std::optional<std::vector<OptionSpec>> {
          for (const auto &m : engineMethods())
              if (m.name == method)
                  return m.options;
          return std::nullopt;
      })
{
}

std::optional<std::vector<terse::OptionSpec>>
CompareSettingsModel::optionSpecs(const std::string &method) const
{
    return m_specSource ? m_specSource(method) : std::nullopt;
}

int CompareSettingsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int CompareSettingsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CompareSettingsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    if (role == ParamsErrorRole || (role == Qt::ToolTipRole && index.column() == ParamsColumn)) {
        if (index.column() != ParamsColumn)
            return {};
        std::map<std::string, std::string> params;
        QString error;
        if (!paramsAt(index.row(), &params, &error))
            return error;
        if (role == ParamsErrorRole)
            return QString();
        // The tooltip: each changed parameter by its label, one a line.
        const auto specs =
            optionSpecs(m_rows[static_cast<std::size_t>(index.row())].options.method);
        QStringList lines;
        for (const auto &[key, value] : params) {
            QString label = QString::fromStdString(key);
            if (specs)
                for (const auto &spec : *specs)
                    if (spec.name == key)
                        label = engineText(spec.label);
            lines << tr("%1: %2").arg(label, QString::fromStdString(value));
        }
        return lines.isEmpty() ? tr("Every parameter has its default value.")
                               : lines.join(QLatin1Char('\n'));
    }
    if (role != Qt::DisplayRole && role != Qt::EditRole)
        return {};
    const Row &r = m_rows[static_cast<std::size_t>(index.row())];
    const bool edit = role == Qt::EditRole;
    switch (index.column()) {
    case MethodColumn:
        return edit ? QString::fromStdString(r.options.method)
                    : methodDisplayName(r.options.method);
    case RateColumn:
        return edit ? QVariant(r.options.rate) : QVariant(QString::number(r.options.rate, 'f', 3));
    case ModeColumn: {
        const bool reference = r.options.mode == terse::CompressionMode::Reference;
        if (edit)
            return reference ? QStringLiteral("reference") : QStringLiteral("corrected");
        return reference ? tr("reference") : tr("corrected");
    }
    case ParamsColumn:
        return r.params;
    case ModelColumn:
        return r.model;
    default:
        return {};
    }
}

bool CompareSettingsModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!index.isValid() || index.row() >= rowCount() || role != Qt::EditRole)
        return false;
    Row &r = m_rows[static_cast<std::size_t>(index.row())];
    switch (index.column()) {
    case MethodColumn: {
        const std::string method = value.toString().toStdString();
        if (method == r.options.method)
            return true;
        r.options.method = method;
        // Another method: the parameters it does not have go (every method has its own).
        std::map<std::string, std::string> params;
        const auto specs = optionSpecs(method);
        if (specs && parseParams(r.params, &params, nullptr)) {
            std::erase_if(params, [&specs](const auto &kv) {
                return std::none_of(specs->begin(), specs->end(),
                                    [&kv](const auto &spec) { return spec.name == kv.first; });
            });
            r.params = formatParams(params);
        }
        // The parameters are checked against the new method's specs: their cell shows the verdict.
        const QModelIndex p = this->index(index.row(), ParamsColumn);
        emit dataChanged(p, p, {Qt::DisplayRole, Qt::EditRole, ParamsErrorRole});
        break;
    }
    case RateColumn:
        r.options.rate = value.toDouble();
        break;
    case ModeColumn:
        r.options.mode = value.toString() == QLatin1String("reference")
                             ? terse::CompressionMode::Reference
                             : terse::CompressionMode::Corrected;
        break;
    case ParamsColumn:
        r.params = value.toString();
        break;
    case ModelColumn:
        r.model = value.toString();
        break;
    default:
        return false;
    }
    emit dataChanged(index, index, {Qt::DisplayRole, Qt::EditRole});
    return true;
}

Qt::ItemFlags CompareSettingsModel::flags(const QModelIndex &index) const
{
    return index.isValid() ? Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsEditable
                           : Qt::NoItemFlags;
}

QVariant CompareSettingsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole)
        return {};
    if (orientation == Qt::Vertical)
        return section + 1;
    switch (section) {
    case MethodColumn:
        return tr("Method");
    case RateColumn:
        return tr("Rate");
    case ModeColumn:
        return tr("Mode");
    case ParamsColumn:
        return tr("Parameters (name=value; …)");
    case ModelColumn:
        return tr("Model (empty: the method's default)");
    default:
        return {};
    }
}

bool CompareSettingsModel::removeRows(int row, int count, const QModelIndex &parent)
{
    if (parent.isValid() || row < 0 || count <= 0 || row + count > rowCount())
        return false;
    beginRemoveRows({}, row, row + count - 1);
    m_rows.erase(m_rows.begin() + row, m_rows.begin() + row + count);
    endRemoveRows();
    return true;
}

void CompareSettingsModel::appendSettings(const terse::CompressOptions &options)
{
    Row r;
    r.options = options;
    r.options.targetTokens = -1;
    const auto specs = optionSpecs(options.method);
    r.params = formatParams(specs ? nonDefaultParams(*specs, options.params) : options.params);
    r.options.params.clear();
    r.model = QString::fromStdString(options.model);
    const int row = rowCount();
    beginInsertRows({}, row, row);
    m_rows.push_back(std::move(r));
    endInsertRows();
}

void CompareSettingsModel::clear()
{
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

bool CompareSettingsModel::settingsAt(int row, terse::CompressOptions *options,
                                      QString *error) const
{
    if (row < 0 || row >= rowCount())
        return false;
    const Row &r = m_rows[static_cast<std::size_t>(row)];
    terse::CompressOptions o = r.options;
    o.model = r.model.trimmed().toStdString();
    if (!paramsAt(row, &o.params, error))
        return false;
    *options = std::move(o);
    return true;
}

bool CompareSettingsModel::paramsAt(int row, std::map<std::string, std::string> *params,
                                    QString *error) const
{
    if (row < 0 || row >= rowCount())
        return false;
    const Row &r = m_rows[static_cast<std::size_t>(row)];
    QString bad;
    std::map<std::string, std::string> parsed;
    if (!parseParams(r.params, &parsed, &bad)) {
        if (error)
            *error = tr("Row %1: the parameter “%2” is not of the form name=value.")
                         .arg(row + 1)
                         .arg(bad);
        return false;
    }
    // Checked here, before anything runs, with the engine's own rules (a method nobody knows
    // fails its own column when it runs).
    if (const auto specs = optionSpecs(r.options.method)) {
        const terse::MethodInfo method{r.options.method, {}, {}, *specs};
        if (auto valid = validateEngineParams(method, parsed, "parameter"); !valid) {
            if (error)
                *error = tr("Row %1: %2").arg(row + 1).arg(EngineTerms::errorText(valid.error()));
            return false;
        }
    }
    *params = std::move(parsed);
    return true;
}

void CompareSettingsModel::retranslate()
{
    emit headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
    if (!m_rows.empty())
        emit dataChanged(index(0, ModeColumn), index(rowCount() - 1, ModeColumn),
                         {Qt::DisplayRole});
}

// ---- editing
// ----------------------------------------------------------------------------------------

QWidget *CompareSettingsDelegate::createEditor(QWidget *parent, const QStyleOptionViewItem &,
                                               const QModelIndex &index) const
{
    auto *self = const_cast<CompareSettingsDelegate *>(this);
    switch (index.column()) {
    case CompareSettingsModel::MethodColumn: {
        auto *method = new QComboBox(parent);
        for (const auto &m : engineMethods()) {
            method->addItem(engineText(m.displayName), QString::fromStdString(m.name));
            method->setItemData(method->count() - 1, engineText(m.description), Qt::ToolTipRole);
        }
        const QString name = index.data(Qt::EditRole).toString();
        if (method->findData(name) < 0) // a method the factory alone knows
            method->addItem(name, name);
        connect(method, &QComboBox::currentIndexChanged, self,
                [self, method] { emit self->commitData(method); });
        return method;
    }
    case CompareSettingsModel::RateColumn: {
        auto *rate = new QDoubleSpinBox(parent);
        rate->setRange(0.001, 1.0);
        rate->setDecimals(3);
        rate->setSingleStep(0.05);
        connect(rate, &QDoubleSpinBox::valueChanged, self,
                [self, rate] { emit self->commitData(rate); });
        return rate;
    }
    case CompareSettingsModel::ModeColumn: {
        auto *mode = new QComboBox(parent);
        mode->addItem(CompareSettingsModel::tr("corrected"), QStringLiteral("corrected"));
        mode->addItem(CompareSettingsModel::tr("reference"), QStringLiteral("reference"));
        connect(mode, &QComboBox::currentIndexChanged, self,
                [self, mode] { emit self->commitData(mode); });
        return mode;
    }
    case CompareSettingsModel::ParamsColumn: {
        auto *params = new CompareParamsEditor(parent);
        connect(params->lineEdit(), &QLineEdit::textChanged, self,
                [self, params] { emit self->commitData(params); });
        connect(params->editButton(), &QToolButton::clicked, self,
                [self, index = QPersistentModelIndex(index)] {
                    if (index.isValid())
                        emit self->parametersRequested(index);
                });
        return params;
    }
    case CompareSettingsModel::ModelColumn: {
        auto *edit = new QLineEdit(parent);
        edit->setPlaceholderText(CompareSettingsModel::tr("method default"));
        connect(edit, &QLineEdit::textChanged, self, [self, edit] { emit self->commitData(edit); });
        return edit;
    }
    default:
        return nullptr;
    }
}

QSize CompareSettingsDelegate::sizeHint(const QStyleOptionViewItem &option,
                                        const QModelIndex &index) const
{
    const QSize text = QStyledItemDelegate::sizeHint(option, index);
    const int c = index.column();
    if (c != CompareSettingsModel::MethodColumn && c != CompareSettingsModel::RateColumn &&
        c != CompareSettingsModel::ModeColumn)
        return text;
    if (!m_editorHint[c].isValid()) {
        const std::unique_ptr<QWidget> editor(createEditor(nullptr, option, index));
        m_editorHint[c] = editor->sizeHint();
    }
    return text.expandedTo(m_editorHint[c]);
}

void CompareSettingsDelegate::setEditorData(QWidget *editor, const QModelIndex &index) const
{
    // Only when different: the view sets the data back after every commit, and a line edit would
    // lose its cursor position.
    const QVariant value = index.data(Qt::EditRole);
    if (auto *combo = qobject_cast<QComboBox *>(editor)) {
        if (const int i = combo->findData(value.toString()); i != combo->currentIndex())
            combo->setCurrentIndex(i);
    } else if (auto *spin = qobject_cast<QDoubleSpinBox *>(editor)) {
        if (spin->value() != value.toDouble())
            spin->setValue(value.toDouble());
    } else if (auto *edit = qobject_cast<QLineEdit *>(editor)) {
        if (edit->text() != value.toString())
            edit->setText(value.toString());
    } else if (auto *params = qobject_cast<CompareParamsEditor *>(editor)) {
        if (params->lineEdit()->text() != value.toString())
            params->lineEdit()->setText(value.toString());
        const QString error = index.data(CompareSettingsModel::ParamsErrorRole).toString();
        params->setError(error);
        if (error.isEmpty())
            params->lineEdit()->setToolTip(index.data(Qt::ToolTipRole).toString());
    }
}

void CompareSettingsDelegate::setModelData(QWidget *editor, QAbstractItemModel *model,
                                           const QModelIndex &index) const
{
    if (auto *combo = qobject_cast<QComboBox *>(editor))
        model->setData(index, combo->currentData());
    else if (auto *spin = qobject_cast<QDoubleSpinBox *>(editor))
        model->setData(index, spin->value());
    else if (auto *edit = qobject_cast<QLineEdit *>(editor))
        model->setData(index, edit->text());
    else if (auto *params = qobject_cast<CompareParamsEditor *>(editor))
        model->setData(index, params->lineEdit()->text());
}

// ---- the parameters cell ----------------------------------------------------------------------

CompareParamsEditor::CompareParamsEditor(QWidget *parent)
    : QWidget(parent), m_edit(new QLineEdit(this)), m_button(new QToolButton(this))
{
    m_edit->setObjectName(QStringLiteral("paramsText"));
    m_button->setObjectName(QStringLiteral("paramsButton"));
    auto *h = new QHBoxLayout(this);
    h->setContentsMargins(0, 0, 0, 0);
    h->setSpacing(2);
    h->addWidget(m_edit, 1);
    h->addWidget(m_button);
    setFocusProxy(m_edit);
    (new Retranslator(this))->add([this] { retranslate(); });
}

void CompareParamsEditor::retranslate()
{
    m_edit->setPlaceholderText(CompareSettingsModel::tr("defaults"));
    m_button->setText(CompareSettingsModel::tr("Edit…"));
    m_button->setToolTip(CompareSettingsModel::tr(
        "Edit this row's parameters with the method's own controls (ranges, choices, help)"));
}

void CompareParamsEditor::setError(const QString &error)
{
    if (error == m_error)
        return;
    m_error = error;
    // The frame colour of the Compare window's error banner.
    m_edit->setStyleSheet(error.isEmpty() ? QString()
                                          : QStringLiteral("QLineEdit { border: 1px solid #c0392b; "
                                                           "border-radius: 2px; }"));
    if (!error.isEmpty())
        m_edit->setToolTip(error);
}

} // namespace terse::app
