#pragma once
// The names and messages the engine puts in a result, in the user's language (issue 20). The engine
// has no Qt, so the app translates them by key: a score series by its name, a stage by its name's
// pattern ("stage 3", "window 2", "sentence filter"), a warning by its code, with the numbers taken
// from the engine's detail text. Identifiers stay as they are everywhere else (JSON, CLI, exports,
// the session database, saved colour choice).

#include "terse/compressor.h"

#include <QCoreApplication>
#include <QString>
#include <QStringList>

#include <string>

namespace terse::app {

class EngineTerms {
    Q_DECLARE_TR_FUNCTIONS(terse::app::EngineTerms)
public:
    // The display name of a score series ("entropy", "probability_final"); an unknown name is shown
    // as it is.
    static QString scoreName(const std::string &name);
    // The display name of a stage ("stage 2", "window 1", "token budget"); an unknown name is shown
    // as it is.
    static QString stageName(const std::string &name);
    // The stage a running job reports with its progress ("scoring windows", "DAC stage"); unknown:
    // as it is.
    static QString progressStage(const QString &stage);
    // An engine error for people: the code's category in the user's language, then the engine's
    // English detail (which names the file, field or value): "Ungültige Einstellung — dac: alpha
    // must be in [0, 1], got 3".
    static QString errorText(terse::ErrorCode code, const QString &detail);
    static QString errorText(const terse::Error &error)
    {
        return errorText(error.code, QString::fromStdString(error.detail));
    }
    // A method's unit ("token", "word", "phrase", "sentence"): singular (an axis title) and plural
    // (a count).
    static QString unitName(const std::string &unit);
    static QString unitsName(const std::string &unit);
    // The warning as a sentence in the user's language (first letter upper case, no final period).
    // A code the app does not know, or a detail whose numbers do not fit the code's message, is
    // shown in the engine's words.
    static QString warningText(const terse::Warning &warning);

    // For tests: every score name, stage name and warning code the app translates.
    static QStringList knownScoreNames();
    static QStringList knownStageNames();
    static QStringList knownWarningCodes();
    static QStringList knownProgressStages();
};

} // namespace terse::app
