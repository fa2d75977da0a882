#pragma once
// CompareSettingsModel: the Compare window's settings rows, one per run: method, rate, mode,
// parameters (as "name=value; …" text, the values that differ from the method's defaults) and
// model, plus the fields a row does not show (seed, pins, target tokenizer), kept from the options
// the row was added with. CompareSettingsDelegate edits the cells with a method combo, a rate spin
// box, a mode combo and line edits, committing every change at once; the parameters cell also has
// a button that asks for the typed editor (CompareWindow opens a ParameterDialog). GUI thread only.

#include "terse/compressor.h"

#include <QAbstractTableModel>
#include <QStyledItemDelegate>
#include <QWidget>

#include <functional>
#include <optional>
#include <vector>

class QLineEdit;
class QToolButton;

namespace terse::app {

class CompareSettingsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { MethodColumn, RateColumn, ModeColumn, ParamsColumn, ModelColumn, ColumnCount };
    // ParamsColumn: why the parameter text is refused ("" when it is fine).
    static constexpr int ParamsErrorRole = Qt::UserRole + 1;
    // A method's OptionSpecs; nullopt for a method nobody knows.
    using SpecSource =
        std::function<std::optional<std::vector<terse::OptionSpec>>(const std::string &method)>;

    explicit CompareSettingsModel(QObject *parent = nullptr);

    // Where the methods' OptionSpecs come from (default: the engine's registry).
    void setSpecSource(SpecSource source) { m_specSource = std::move(source); }
    std::optional<std::vector<terse::OptionSpec>> optionSpecs(const std::string &method) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    // Qt::DisplayRole: the text shown; Qt::EditRole: the method name, the rate (double), the mode
    // name ("corrected", "reference"), the parameter text, the model path. A new method keeps only
    // the parameters it knows.
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    bool removeRows(int row, int count, const QModelIndex &parent = {}) override;

    // Appends a row for `options`; its rate replaces a token budget (targetTokens is reset).
    void appendSettings(const terse::CompressOptions &options);
    void clear();
    // The options row `row` describes; false (with `error` naming the row and the problem) when the
    // parameters field does not parse, names a parameter the method does not have or a value out
    // of its type or range, or the row does not exist.
    bool settingsAt(int row, terse::CompressOptions *options, QString *error = nullptr) const;
    // The parameters of row `row` as a map; false (with `error`) when they are refused as above.
    bool paramsAt(int row, std::map<std::string, std::string> *params,
                  QString *error = nullptr) const;
    // The header texts follow the interface language: call after a language change.
    void retranslate();

private:
    struct Row {
        terse::CompressOptions
            options; // params and model are in the texts below while the row is edited
        QString params;
        QString model;
    };
    std::vector<Row> m_rows;
    SpecSource m_specSource;
};

// The parameters cell's editor: the "name=value; …" text and a button for the typed editor.
class CompareParamsEditor : public QWidget {
    Q_OBJECT
public:
    explicit CompareParamsEditor(QWidget *parent = nullptr);
    QLineEdit *lineEdit() const { return m_edit; }
    QToolButton *editButton() const { return m_button; }
    // Marks the text as refused (red frame, `error` as tooltip) or fine (`error` empty).
    void setError(const QString &error);

private:
    void retranslate();
    QLineEdit *m_edit;
    QToolButton *m_button;
    QString m_error;
};

class CompareSettingsDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &option,
                          const QModelIndex &index) const override;
    void setEditorData(QWidget *editor, const QModelIndex &index) const override;
    void setModelData(QWidget *editor, QAbstractItemModel *model,
                      const QModelIndex &index) const override;
    // The editors stay open in every cell: the method, rate and mode columns fit their editor
    // (the longest method name, the spin box), not the cell's text.
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

signals:
    // The parameters cell's button was pressed: edit row `index.row()`'s parameters.
    void parametersRequested(const QModelIndex &index);

private:
    mutable QSize m_editorHint[CompareSettingsModel::ColumnCount]; // per column, made once
};

} // namespace terse::app
