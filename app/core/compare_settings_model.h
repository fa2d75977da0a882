#pragma once
// CompareSettingsModel: the Compare window's settings rows, one per run: method, rate, mode,
// parameters (as "name=value; …" text) and model, plus the fields a row does not show (seed, pins,
// target tokenizer), kept from the options the row was added with. CompareSettingsDelegate edits
// the cells with a method combo, a rate spin box, a mode combo and line edits, committing every
// change at once. GUI thread only.

#include "terse/compressor.h"

#include <QAbstractTableModel>
#include <QStyledItemDelegate>

#include <vector>

namespace terse::app {

class CompareSettingsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { MethodColumn, RateColumn, ModeColumn, ParamsColumn, ModelColumn, ColumnCount };

    explicit CompareSettingsModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    // Qt::DisplayRole: the text shown; Qt::EditRole: the method name, the rate (double), the mode
    // name
    // ("corrected", "reference"), the parameter text, the model path.
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
    // parameters field does not parse or the row does not exist.
    bool settingsAt(int row, terse::CompressOptions *options, QString *error = nullptr) const;
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
};

} // namespace terse::app
