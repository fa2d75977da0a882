<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>main</name>
    <message>
        <source>Terse Studio: a workbench for prompt compression.</source>
        <translation>Terse Studio: eine Werkbank für Prompt-Komprimierung.</translation>
    </message>
    <message>
        <source>A prompt file to open.</source>
        <translation>Eine Prompt-Datei zum Öffnen.</translation>
    </message>
    <message>
        <source>Method to select.</source>
        <translation>Zu wählende Methode.</translation>
    </message>
    <message>
        <source>Rate to select (0, 1].</source>
        <translation>Zu wählende Rate (0, 1].</translation>
    </message>
    <message>
        <source>Compress right after start.</source>
        <translation>Direkt nach dem Start komprimieren.</translation>
    </message>
</context>
<context>
    <name>terse::app::AnswerPanel</name>
    <message>
        <source>Endpoint:</source>
        <translation>Endpunkt:</translation>
    </message>
    <message>
        <source>An OpenAI-compatible chat-completions endpoint: a local llama.cpp server, Ollama, vLLM or a hosted API. &quot;/chat/completions&quot; is added to a base URL.</source>
        <translation>Ein OpenAI-kompatibler Chat-Completions-Endpunkt: ein lokaler llama.cpp-Server, Ollama, vLLM oder eine gehostete API. An eine Basis-URL wird &quot;/chat/completions&quot; angehängt.</translation>
    </message>
    <message>
        <source>Target model:</source>
        <translation>Zielmodell:</translation>
    </message>
    <message>
        <source>e.g. llama3.1:8b</source>
        <translation>z. B. llama3.1:8b</translation>
    </message>
    <message>
        <source>API key:</source>
        <translation>API-Schlüssel:</translation>
    </message>
    <message>
        <source>empty for local servers</source>
        <translation>leer für lokale Server</translation>
    </message>
    <message>
        <source>Timeout:</source>
        <translation>Zeitlimit:</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>The API key is kept in the settings file in plain text (this build cannot reach a system keychain).</source>
        <translation>Der API-Schlüssel steht im Klartext in der Einstellungsdatei (dieser Build hat keinen Zugriff auf einen Systemschlüsselbund).</translation>
    </message>
    <message>
        <source>Blind A/B order</source>
        <translation>Blinde A/B-Reihenfolge</translation>
    </message>
    <message>
        <source>Show the two answers as A and B in random order until both are marked.</source>
        <translation>Zeigt die beiden Antworten als A und B in zufälliger Reihenfolge, bis beide bewertet sind.</translation>
    </message>
    <message>
        <source>Ask the target model</source>
        <translation>Zielmodell fragen</translation>
    </message>
    <message>
        <source>Send the original and the compressed prompt and compare the answers.</source>
        <translation>Sendet den ursprünglichen und den komprimierten Prompt und vergleicht die Antworten.</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Reveal</source>
        <translation>Aufdecken</translation>
    </message>
    <message>
        <source>Correct</source>
        <translation>Richtig</translation>
    </message>
    <message>
        <source>Incorrect</source>
        <translation>Falsch</translation>
    </message>
    <message>
        <source>Compress a prompt first: the check asks the target model with its original and its compressed prompt.</source>
        <translation>Komprimieren Sie zuerst einen Prompt: Die Prüfung fragt das Zielmodell mit dem ursprünglichen und dem komprimierten Prompt.</translation>
    </message>
    <message>
        <source>Asking %1…</source>
        <translation>Frage %1…</translation>
    </message>
    <message>
        <source>The endpoint did not answer both prompts; see below.</source>
        <translation>Der Endpunkt hat nicht beide Prompts beantwortet; siehe unten.</translation>
    </message>
    <message>
        <source>Both answers are in. Mark each as correct or incorrect.</source>
        <translation>Beide Antworten sind da. Bewerten Sie jede als richtig oder falsch.</translation>
    </message>
    <message>
        <source>The answer was not saved: %1</source>
        <translation>Die Antwort wurde nicht gespeichert: %1</translation>
    </message>
    <message>
        <source>The mark was not saved: %1</source>
        <translation>Die Bewertung wurde nicht gespeichert: %1</translation>
    </message>
    <message>
        <source>Answer A</source>
        <translation>Antwort A</translation>
    </message>
    <message>
        <source>Answer B</source>
        <translation>Antwort B</translation>
    </message>
    <message>
        <source>Original prompt</source>
        <translation>Ursprünglicher Prompt</translation>
    </message>
    <message>
        <source>Compressed prompt</source>
        <translation>Komprimierter Prompt</translation>
    </message>
    <message>
        <source>No answer: %1</source>
        <translation>Keine Antwort: %1</translation>
    </message>
    <message>
        <source>Compress a prompt, then ask the target model with both prompts.</source>
        <translation>Komprimieren Sie einen Prompt und fragen Sie dann das Zielmodell mit beiden Prompts.</translation>
    </message>
    <message>
        <source>waiting for the answer…</source>
        <translation>warte auf die Antwort…</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>%1 prompt + %2 answer tokens</source>
        <translation>%1 Prompt- + %2 Antwort-Tokens</translation>
    </message>
    <message>
        <source>not saved (the run is not saved)</source>
        <translation>nicht gespeichert (der Lauf ist nicht gespeichert)</translation>
    </message>
</context>
<context>
    <name>terse::app::AppearanceController</name>
    <message>
        <source>Cannot load the language “%1”.</source>
        <translation>Die Sprache „%1“ kann nicht geladen werden.</translation>
    </message>
    <message>
        <source>System</source>
        <translation>System</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Sprache</translation>
    </message>
    <message>
        <source>&amp;Light</source>
        <translation>&amp;Hell</translation>
    </message>
    <message>
        <source>&amp;Dark</source>
        <translation>&amp;Dunkel</translation>
    </message>
    <message>
        <source>&amp;System</source>
        <translation>&amp;System</translation>
    </message>
    <message>
        <source>&amp;Theme</source>
        <translation>&amp;Farbschema</translation>
    </message>
</context>
<context>
    <name>terse::app::ChatClient</name>
    <message>
        <source>&apos;%1&apos; is not an http(s) URL of a chat-completions endpoint</source>
        <translation>&apos;%1&apos; ist keine http(s)-URL eines Chat-Completions-Endpunkts</translation>
    </message>
    <message>
        <source>HTTP %1 from the endpoint: %2</source>
        <translation>HTTP %1 vom Endpunkt: %2</translation>
    </message>
    <message>
        <source>(no body)</source>
        <translation>(kein Inhalt)</translation>
    </message>
    <message>
        <source>the reply is not chat-completions JSON (%1): %2</source>
        <translation>die Antwort ist kein Chat-Completions-JSON (%1): %2</translation>
    </message>
    <message>
        <source>not an object</source>
        <translation>kein Objekt</translation>
    </message>
    <message>
        <source>(empty body)</source>
        <translation>(leerer Inhalt)</translation>
    </message>
    <message>
        <source>the reply has no choices[0].message.content: %1</source>
        <translation>die Antwort hat kein choices[0].message.content: %1</translation>
    </message>
    <message>
        <source>no model name: the endpoint needs the name of the model to ask</source>
        <translation>kein Modellname: Der Endpunkt braucht den Namen des zu fragenden Modells</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>no reply from %1 within %2 s</source>
        <translation>keine Antwort von %1 innerhalb von %2 s</translation>
    </message>
    <message>
        <source>cannot reach %1: %2</source>
        <translation>%1 ist nicht erreichbar: %2</translation>
    </message>
</context>
<context>
    <name>terse::app::CompareMetricsTable</name>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Units in</source>
        <translation>Einheiten vorher</translation>
    </message>
    <message>
        <source>Units out</source>
        <translation>Einheiten nachher</translation>
    </message>
    <message>
        <source>Target tokens in</source>
        <translation>Ziel-Tokens vorher</translation>
    </message>
    <message>
        <source>Target tokens out</source>
        <translation>Ziel-Tokens nachher</translation>
    </message>
    <message>
        <source>Achieved rate</source>
        <translation>Erreichte Rate</translation>
    </message>
    <message>
        <source>ROUGE-1</source>
        <translation>ROUGE-1</translation>
    </message>
    <message>
        <source>ROUGE-L</source>
        <translation>ROUGE-L</translation>
    </message>
    <message>
        <source>BLEU</source>
        <translation>BLEU</translation>
    </message>
    <message>
        <source>Total time</source>
        <translation>Gesamtzeit</translation>
    </message>
    <message>
        <source>Model time</source>
        <translation>Modellzeit</translation>
    </message>
    <message>
        <source>Target answer</source>
        <translation>Antwort des Zielmodells</translation>
    </message>
    <message>
        <source>Units the method decided on (tokens, words, …) before compression</source>
        <translation>Einheiten, über die die Methode entschieden hat (Tokens, Wörter, …), vor der Komprimierung</translation>
    </message>
    <message>
        <source>Kept units / original units, in the method&apos;s own unit</source>
        <translation>Behaltene / ursprüngliche Einheiten, in der Einheit der Methode</translation>
    </message>
    <message>
        <source>Length in the target LLM&apos;s tokenizer (cl100k_base unless set)</source>
        <translation>Länge im Tokenizer des Ziel-LLM (cl100k_base, sofern nicht anders eingestellt)</translation>
    </message>
    <message>
        <source>ROUGE-1 F1 of the compressed text against the original prompt</source>
        <translation>ROUGE-1-F1 des komprimierten Texts gegenüber dem ursprünglichen Prompt</translation>
    </message>
    <message>
        <source>ROUGE-L F1 of the compressed text against the original prompt</source>
        <translation>ROUGE-L-F1 des komprimierten Texts gegenüber dem ursprünglichen Prompt</translation>
    </message>
    <message>
        <source>Sentence BLEU-4 of the compressed text against the original prompt</source>
        <translation>Satz-BLEU-4 des komprimierten Texts gegenüber dem ursprünglichen Prompt</translation>
    </message>
    <message>
        <source>Time spent in model forward passes</source>
        <translation>Zeit in Vorwärtsdurchläufen des Modells</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>waiting</source>
        <translation>wartet</translation>
    </message>
    <message>
        <source>not run</source>
        <translation>nicht ausgeführt</translation>
    </message>
    <message>
        <source>asking…</source>
        <translation>frage…</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>no answer</source>
        <translation>keine Antwort</translation>
    </message>
</context>
<context>
    <name>terse::app::CompareOutputColumns</name>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <source>Copy this compressed text to the clipboard</source>
        <translation>Diesen komprimierten Text in die Zwischenablage kopieren</translation>
    </message>
    <message>
        <source>Failed.</source>
        <translation>Fehlgeschlagen.</translation>
    </message>
    <message>
        <source>Waiting…</source>
        <translation>Wartet…</translation>
    </message>
    <message>
        <source>Not run.</source>
        <translation>Nicht ausgeführt.</translation>
    </message>
    <message>
        <source>Waiting for its turn…</source>
        <translation>Wartet, bis es an der Reihe ist…</translation>
    </message>
    <message>
        <source>Not run: the comparison was cancelled.</source>
        <translation>Nicht ausgeführt: Der Vergleich wurde abgebrochen.</translation>
    </message>
    <message>
        <source>%1 → %2 %3 (%4% kept)</source>
        <translation>%1 → %2 %3 (%4 % behalten)</translation>
    </message>
    <message>
        <source>ROUGE-L %1</source>
        <translation>ROUGE-L %1</translation>
    </message>
</context>
<context>
    <name>terse::app::CompareSettingsModel</name>
    <message>
        <source>reference</source>
        <translation>Referenz</translation>
    </message>
    <message>
        <source>corrected</source>
        <translation>korrigiert</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>Methode</translation>
    </message>
    <message>
        <source>Rate</source>
        <translation>Rate</translation>
    </message>
    <message>
        <source>Mode</source>
        <translation>Modus</translation>
    </message>
    <message>
        <source>Parameters (name=value; …)</source>
        <translation>Parameter (Name=Wert; …)</translation>
    </message>
    <message>
        <source>Model (empty: the method&apos;s default)</source>
        <translation>Modell (leer: Standard der Methode)</translation>
    </message>
    <message>
        <source>Row %1: the parameter “%2” is not of the form name=value.</source>
        <translation>Zeile %1: Der Parameter „%2“ hat nicht die Form Name=Wert.</translation>
    </message>
    <message>
        <source>defaults</source>
        <translation>Standardwerte</translation>
    </message>
    <message>
        <source>method default</source>
        <translation>Standard der Methode</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Every parameter has its default value.</source>
        <translation>Alle Parameter haben ihren Standardwert.</translation>
    </message>
    <message>
        <source>Row %1: %2</source>
        <translation>Zeile %1: %2</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>Bearbeiten…</translation>
    </message>
    <message>
        <source>Edit this row&apos;s parameters with the method&apos;s own controls (ranges, choices, help)</source>
        <translation>Die Parameter dieser Zeile mit den Bedienelementen der Methode bearbeiten (Bereiche, Auswahlen, Hilfe)</translation>
    </message>
</context>
<context>
    <name>terse::app::CompareSideBySide</name>
    <message>
        <source>&amp;Export Comparison…</source>
        <translation>Vergleich &amp;exportieren…</translation>
    </message>
    <message>
        <source>Ask the &amp;Target Model</source>
        <translation>&amp;Zielmodell fragen</translation>
    </message>
    <message>
        <source>Send the original prompt and every row&apos;s compressed prompt to the endpoint of the Answer Check panel; the answers fill the last column</source>
        <translation>Sendet den ursprünglichen Prompt und den komprimierten Prompt jeder Zeile an den Endpunkt der Antwortprüfung; die Antworten füllen die letzte Spalte</translation>
    </message>
    <message>
        <source>Compared with the original: &lt;s&gt;struck&lt;/s&gt; = dropped, &lt;u&gt;dotted underline&lt;/u&gt; = partly kept, &lt;span style=&quot;background:%1&quot;&gt;&amp;nbsp;kept here, dropped by another&amp;nbsp;&lt;/span&gt;, &lt;span style=&quot;background:%2&quot;&gt;&amp;nbsp;dropped here, kept by another&amp;nbsp;&lt;/span&gt;.</source>
        <translation>Verglichen mit dem Original: &lt;s&gt;durchgestrichen&lt;/s&gt; = entfernt, &lt;u&gt;gepunktet unterstrichen&lt;/u&gt; = teilweise behalten, &lt;span style=&quot;background:%1&quot;&gt;&amp;nbsp;hier behalten, von einer anderen entfernt&amp;nbsp;&lt;/span&gt;, &lt;span style=&quot;background:%2&quot;&gt;&amp;nbsp;hier entfernt, von einer anderen behalten&amp;nbsp;&lt;/span&gt;.</translation>
    </message>
</context>
<context>
    <name>terse::app::CompareSweepPanel</name>
    <message>
        <source>Export &amp;Chart…</source>
        <translation>&amp;Diagramm exportieren…</translation>
    </message>
    <message>
        <source>Run &amp;Sweep</source>
        <translation>&amp;Raten-Sweep starten</translation>
    </message>
    <message>
        <source>Run every row at each rate and plot achieved rate against fidelity</source>
        <translation>Jede Zeile mit jeder Rate ausführen und die erreichte Rate gegen die Treue auftragen</translation>
    </message>
    <message>
        <source>Ra&amp;tes:</source>
        <translation>Ra&amp;ten:</translation>
    </message>
    <message>
        <source>Kept fractions to sweep: a list (0.1, 0.3, 0.5) or start:stop:step (0.1:0.9:0.1)</source>
        <translation>Zu durchlaufende Behaltensanteile: eine Liste (0.1, 0.3, 0.5) oder Start:Ende:Schritt (0.1:0.9:0.1)</translation>
    </message>
    <message>
        <source>Fi&amp;delity:</source>
        <translation>&amp;Treue:</translation>
    </message>
    <message>
        <source>Fidelity of the compressed text against the original prompt</source>
        <translation>Treue des komprimierten Texts gegenüber dem ursprünglichen Prompt</translation>
    </message>
    <message>
        <source>against the achieved rate</source>
        <translation>gegen die erreichte Rate</translation>
    </message>
    <message>
        <source>against the money saved</source>
        <translation>gegen das gesparte Geld</translation>
    </message>
    <message>
        <source>Money saved per 1,000 calls uses the input price of the Cost panel&apos;s target model</source>
        <translation>Das pro 1.000 Aufrufe gesparte Geld nutzt den Eingabepreis des Zielmodells im Kostenbereich</translation>
    </message>
    <message>
        <source>$ saved per 1,000 calls on %1 ($%2 per 1M input tokens)</source>
        <translation>$ gespart pro 1.000 Aufrufe mit %1 ($%2 pro 1 Mio. Eingabe-Tokens)</translation>
    </message>
    <message>
        <source>achieved rate (target-LLM tokens kept / original)</source>
        <translation>erreichte Rate (behaltene / ursprüngliche Tokens des Ziel-LLM)</translation>
    </message>
    <message>
        <source>%1 vs the original</source>
        <translation>%1 gegenüber dem Original</translation>
    </message>
</context>
<context>
    <name>terse::app::CompareWindow</name>
    <message>
        <source>Cancelled; finished runs are kept.</source>
        <translation>Abgebrochen; abgeschlossene Läufe bleiben erhalten.</translation>
    </message>
    <message>
        <source>Run %1 of %2: %3…</source>
        <translation>Lauf %1 von %2: %3…</translation>
    </message>
    <message>
        <source>Compare Methods — Terse Studio</source>
        <translation>Methoden vergleichen — Terse Studio</translation>
    </message>
    <message>
        <source>Add &amp;Current Settings</source>
        <translation>Aktuelle &amp;Einstellungen hinzufügen</translation>
    </message>
    <message>
        <source>Add a row with the main window&apos;s method, rate, parameters and model</source>
        <translation>Eine Zeile mit Methode, Rate, Parametern und Modell des Hauptfensters hinzufügen</translation>
    </message>
    <message>
        <source>&amp;Add Method</source>
        <translation>Methode &amp;hinzufügen</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>&amp;Entfernen</translation>
    </message>
    <message>
        <source>Remove the selected row</source>
        <translation>Die ausgewählte Zeile entfernen</translation>
    </message>
    <message>
        <source>Co&amp;mpare</source>
        <translation>&amp;Vergleichen</translation>
    </message>
    <message>
        <source>Run every row on the main window&apos;s prompt and compare the outputs</source>
        <translation>Jede Zeile auf den Prompt des Hauptfensters anwenden und die Ergebnisse vergleichen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Stop the running job; finished runs are kept</source>
        <translation>Den laufenden Auftrag anhalten; abgeschlossene Läufe bleiben erhalten</translation>
    </message>
    <message>
        <source>Side by Side</source>
        <translation>Nebeneinander</translation>
    </message>
    <message>
        <source>Rate Sweep</source>
        <translation>Raten-Sweep</translation>
    </message>
    <message>
        <source>Add methods or settings, then press Compare or Run Sweep.</source>
        <translation>Fügen Sie Methoden oder Einstellungen hinzu und klicken Sie dann auf „Vergleichen“ oder „Raten-Sweep starten“.</translation>
    </message>
    <message>
        <source>reference</source>
        <translation>Referenz</translation>
    </message>
    <message>
        <source>Nothing to compare: add a method or the current settings first.</source>
        <translation>Nichts zu vergleichen: Fügen Sie zuerst eine Methode oder die aktuellen Einstellungen hinzu.</translation>
    </message>
    <message>
        <source>A comparison or sweep is running: wait for it or cancel it first.</source>
        <translation>Ein Vergleich oder Sweep läuft: Warten Sie darauf oder brechen Sie ihn zuerst ab.</translation>
    </message>
    <message>
        <source>The rates “%1” are not a list of numbers in (0, 1] such as “0.1, 0.5, 0.9” or a range such as “0.1:0.9:0.1”.</source>
        <translation>Die Raten „%1“ sind weder eine Liste von Zahlen in (0, 1] wie „0.1, 0.5, 0.9“ noch ein Bereich wie „0.1:0.9:0.1“.</translation>
    </message>
    <message>
        <source>The prompt is empty: paste or open some text in the main window first.</source>
        <translation>Der Prompt ist leer: Fügen Sie zuerst im Hauptfenster Text ein oder öffnen Sie eine Datei.</translation>
    </message>
    <message>
        <source>The prompt cannot be compressed: %1</source>
        <translation>Der Prompt kann nicht komprimiert werden: %1</translation>
    </message>
    <message>
        <source>%1 failed: %2</source>
        <translation>%1 fehlgeschlagen: %2</translation>
    </message>
    <message numerus="yes">
        <source>Compared %n run(s).</source>
        <translation>
            <numerusform>%n Lauf verglichen.</numerusform>
            <numerusform>%n Läufe verglichen.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Sweep finished: %n run(s).</source>
        <translation>
            <numerusform>Sweep abgeschlossen: %n Lauf.</numerusform>
            <numerusform>Sweep abgeschlossen: %n Läufe.</numerusform>
        </translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Breche ab…</translation>
    </message>
    <message>
        <source>Copied the compressed text of “%1”.</source>
        <translation>Komprimierten Text von „%1“ kopiert.</translation>
    </message>
    <message>
        <source>Nothing to export yet: run a comparison first.</source>
        <translation>Noch nichts zu exportieren: Führen Sie zuerst einen Vergleich aus.</translation>
    </message>
    <message>
        <source>Cannot export to “%1”: use a .json, .md, .html or .csv file name.</source>
        <translation>Export nach „%1“ nicht möglich: Verwenden Sie einen Dateinamen mit .json, .md, .html oder .csv.</translation>
    </message>
    <message>
        <source>Exported the comparison to %1.</source>
        <translation>Vergleich nach %1 exportiert.</translation>
    </message>
    <message>
        <source>Nothing to export yet: run a sweep first.</source>
        <translation>Noch nichts zu exportieren: Führen Sie zuerst einen Sweep aus.</translation>
    </message>
    <message>
        <source>Cannot export the chart to “%1”: use a .png or .svg file name.</source>
        <translation>Diagramm kann nicht nach „%1“ exportiert werden: Verwenden Sie einen Dateinamen mit .png oder .svg.</translation>
    </message>
    <message>
        <source>Exported the chart to %1.</source>
        <translation>Diagramm nach %1 exportiert.</translation>
    </message>
    <message>
        <source>Export comparison</source>
        <translation>Vergleich exportieren</translation>
    </message>
    <message>
        <source>Export sweep chart</source>
        <translation>Sweep-Diagramm exportieren</translation>
    </message>
    <message>
        <source>The original prompt&apos;s answer: %1</source>
        <translation>Antwort auf den ursprünglichen Prompt: %1</translation>
    </message>
    <message>
        <source>The original prompt got no answer: %1</source>
        <translation>Der ursprüngliche Prompt bekam keine Antwort: %1</translation>
    </message>
    <message>
        <source>Compare first: the check asks the target model with every row&apos;s compressed prompt.</source>
        <translation>Zuerst vergleichen: Die Prüfung fragt das Zielmodell mit dem komprimierten Prompt jeder Zeile.</translation>
    </message>
    <message>
        <source>Set the endpoint and model in the Answer Check panel first (Run → Ask the Target Model).</source>
        <translation>Legen Sie zuerst Endpunkt und Modell in der Antwortprüfung fest (Ausführen → Zielmodell fragen).</translation>
    </message>
    <message numerus="yes">
        <source>Asking %1 with the original and %n compressed prompt(s)…</source>
        <translation>
            <numerusform>Frage %1 mit dem ursprünglichen und %n komprimierten Prompt…</numerusform>
            <numerusform>Frage %1 mit dem ursprünglichen und %n komprimierten Prompts…</numerusform>
        </translation>
    </message>
    <message>
        <source>Run %1 of %2: %3 (%4 of %5)</source>
        <translation>Lauf %1 von %2: %3 (%4 von %5)</translation>
    </message>
    <message>
        <source>about %1 left</source>
        <translation>noch etwa %1</translation>
    </message>
    <message>
        <source>Row %1: the method “%2” is unknown, so its parameters cannot be edited.</source>
        <translation>Zeile %1: Die Methode „%2“ ist unbekannt, daher lassen sich ihre Parameter nicht bearbeiten.</translation>
    </message>
    <message>
        <source>Parameters of %1 (row %2)</source>
        <translation>Parameter von %1 (Zeile %2)</translation>
    </message>
</context>
<context>
    <name>terse::app::Comparison</name>
    <message>
        <source>rate %1</source>
        <translation>Rate %1</translation>
    </message>
    <message>
        <source>reference</source>
        <translation>Referenz</translation>
    </message>
    <message>
        <source>budget %1 tokens</source>
        <translation>Budget %1 Tokens</translation>
    </message>
</context>
<context>
    <name>terse::app::CostPanel</name>
    <message>
        <source>%1 min</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>New Target Model</source>
        <translation>Neues Zielmodell</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>Name:</translation>
    </message>
    <message>
        <source>A preset needs a name that is not taken.</source>
        <translation>Eine Vorlage braucht einen Namen, der noch nicht vergeben ist.</translation>
    </message>
    <message>
        <source>Target model:</source>
        <translation>Zielmodell:</translation>
    </message>
    <message>
        <source>Presets are examples: set the price and speed of the model you use.</source>
        <translation>Die Vorlagen sind Beispiele: Tragen Sie Preis und Geschwindigkeit Ihres Modells ein.</translation>
    </message>
    <message>
        <source>New…</source>
        <translation>Neu…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <source>Input price per 1M tokens:</source>
        <translation>Eingabepreis pro 1 Mio. Tokens:</translation>
    </message>
    <message>
        <source>Prefill speed:</source>
        <translation>Prefill-Geschwindigkeit:</translation>
    </message>
    <message>
        <source> tokens/s</source>
        <translation> Tokens/s</translation>
    </message>
    <message>
        <source>How fast the target model reads a prompt before it answers (prefill).</source>
        <translation>Wie schnell das Zielmodell einen Prompt liest, bevor es antwortet (Prefill).</translation>
    </message>
    <message>
        <source>Compress a prompt to see what it saves.</source>
        <translation>Komprimieren Sie einen Prompt, um zu sehen, was er spart.</translation>
    </message>
    <message>
        <source>This result has no target-token counts (the target tokenizer was not available).</source>
        <translation>Für dieses Ergebnis gibt es keine Ziel-Token-Zahlen (der Ziel-Tokenizer war nicht verfügbar).</translation>
    </message>
    <message>
        <source>Tokens: %1 → %2 (%3 saved, %4%)</source>
        <translation>Tokens: %1 → %2 (%3 gespart, %4 %)</translation>
    </message>
    <message>
        <source>Money: %1 per call, %2 per 1,000 calls</source>
        <translation>Geld: %1 pro Aufruf, %2 pro 1.000 Aufrufe</translation>
    </message>
    <message>
        <source>Prefill: %1 → %2 per call (%3 saved)</source>
        <translation>Prefill: %1 → %2 pro Aufruf (%3 gespart)</translation>
    </message>
    <message>
        <source>Compression: %1 on this machine</source>
        <translation>Komprimierung: %1 auf diesem Rechner</translation>
    </message>
    <message>
        <source>Nothing saved: the compressed prompt is as long as the original.</source>
        <translation>Nichts gespart: Der komprimierte Prompt ist so lang wie das Original.</translation>
    </message>
    <message>
        <source>Pays off: cheaper, and %1 faster per call.</source>
        <translation>Lohnt sich: günstiger und %1 schneller pro Aufruf.</translation>
    </message>
    <message>
        <source>Pays off in time: %1 faster per call (no input price set).</source>
        <translation>Lohnt sich zeitlich: %1 schneller pro Aufruf (kein Eingabepreis gesetzt).</translation>
    </message>
    <message>
        <source>compressing takes %1 more than the prefill it saves; it pays off in time only when the target reads slower than %2 tokens/s</source>
        <translation>die Komprimierung dauert %1 länger als das eingesparte Prefill; zeitlich lohnt sie sich erst, wenn das Zielmodell langsamer als %2 Tokens/s liest</translation>
    </message>
    <message>
        <source>Cheaper, but slower: %1.</source>
        <translation>Günstiger, aber langsamer: %1.</translation>
    </message>
    <message>
        <source>Does not pay off at this length and rate on this machine: %1.</source>
        <translation>Lohnt sich bei dieser Länge und Rate auf diesem Rechner nicht: %1.</translation>
    </message>
    <message>
        <source>Hosted large model</source>
        <translation>Gehostetes großes Modell</translation>
    </message>
    <message>
        <source>Hosted small model</source>
        <translation>Gehostetes kleines Modell</translation>
    </message>
    <message>
        <source>Local 8B model on a GPU</source>
        <translation>Lokales 8B-Modell auf einer GPU</translation>
    </message>
    <message>
        <source>Local 8B model on a CPU</source>
        <translation>Lokales 8B-Modell auf einer CPU</translation>
    </message>
    <message>
        <source>Money: no input price set for this target</source>
        <translation>Geld: kein Eingabepreis für dieses Zielmodell gesetzt</translation>
    </message>
</context>
<context>
    <name>terse::app::DocumentController</name>
    <message>
        <source>Unpin</source>
        <translation>Lösen</translation>
    </message>
    <message>
        <source>Unpin All</source>
        <translation>Alle lösen</translation>
    </message>
    <message>
        <source>Cannot open “%1”: %2</source>
        <translation>„%1“ kann nicht geöffnet werden: %2</translation>
    </message>
    <message>
        <source>“%1” is %2 MB; Terse opens prompts up to %3 MB.</source>
        <translation>„%1“ ist %2 MB groß; Terse öffnet Prompts bis %3 MB.</translation>
    </message>
    <message>
        <source>Cannot read “%1”: %2</source>
        <translation>„%1“ kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>“%1” looks like a binary file (NUL byte at offset %2); open a text file.</source>
        <translation>„%1“ sieht wie eine Binärdatei aus (NUL-Byte an Position %2); öffnen Sie eine Textdatei.</translation>
    </message>
    <message>
        <source>“%1” is not valid UTF-8 text (first invalid byte at offset %2). Convert it to UTF-8 and try again.</source>
        <translation>„%1“ ist kein gültiger UTF-8-Text (erstes ungültiges Byte an Position %2). Wandeln Sie die Datei in UTF-8 um und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>Opened %1 (%2 KB).</source>
        <translation>%1 geöffnet (%2 KB).</translation>
    </message>
    <message>
        <source>Terse Studio</source>
        <translation>Terse Studio</translation>
    </message>
    <message>
        <source>%1 — Terse Studio</source>
        <translation>%1 — Terse Studio</translation>
    </message>
    <message>
        <source>Save prompt</source>
        <translation>Prompt speichern</translation>
    </message>
    <message>
        <source>Text files (*.txt *.md);;All files (*)</source>
        <translation>Textdateien (*.txt *.md);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Cannot save “%1”: %2</source>
        <translation>„%1“ kann nicht gespeichert werden: %2</translation>
    </message>
    <message>
        <source>Saved the prompt to %1.</source>
        <translation>Prompt in %1 gespeichert.</translation>
    </message>
    <message>
        <source>S&amp;amples</source>
        <translation>&amp;Beispiele</translation>
    </message>
    <message>
        <source>The prompt changed since this result: compress again before pinning.</source>
        <translation>Der Prompt hat sich seit diesem Ergebnis geändert: vor dem Fixieren erneut komprimieren.</translation>
    </message>
    <message>
        <source>Pin “%1” (keep)</source>
        <translation>„%1“ fixieren (behalten)</translation>
    </message>
    <message>
        <source>Pin “%1” (drop)</source>
        <translation>„%1“ fixieren (entfernen)</translation>
    </message>
    <message>
        <source>Unpin “%1”</source>
        <translation>„%1“ lösen</translation>
    </message>
</context>
<context>
    <name>terse::app::EngineTerms</name>
    <message>
        <source>self_information</source>
        <translation>Selbstinformation</translation>
    </message>
    <message>
        <source>surprisal</source>
        <translation>Überraschung</translation>
    </message>
    <message>
        <source>contrastive</source>
        <translation>kontrastiv</translation>
    </message>
    <message>
        <source>entropy</source>
        <translation>Entropie</translation>
    </message>
    <message>
        <source>entropy_before</source>
        <translation>Entropie vorher</translation>
    </message>
    <message>
        <source>entropy_after</source>
        <translation>Entropie nachher</translation>
    </message>
    <message>
        <source>attention</source>
        <translation>Attention</translation>
    </message>
    <message>
        <source>fused</source>
        <translation>kombiniert</translation>
    </message>
    <message>
        <source>restored</source>
        <translation>wiederhergestellt</translation>
    </message>
    <message>
        <source>probability</source>
        <translation>Wahrscheinlichkeit</translation>
    </message>
    <message>
        <source>probability_no_force</source>
        <translation>Wahrscheinlichkeit ohne Zwangstokens</translation>
    </message>
    <message>
        <source>probability_final</source>
        <translation>Wahrscheinlichkeit final</translation>
    </message>
    <message>
        <source>context_probability</source>
        <translation>Kontext-Wahrscheinlichkeit</translation>
    </message>
    <message>
        <source>context_rank</source>
        <translation>Kontext-Rang</translation>
    </message>
    <message>
        <source>context_rank_score</source>
        <translation>Kontext-Rangwert</translation>
    </message>
    <message>
        <source>context perplexity</source>
        <translation>Kontext-Perplexität</translation>
    </message>
    <message>
        <source>context_bm25</source>
        <translation>Kontext-BM25</translation>
    </message>
    <message>
        <source>context_gzip_distance</source>
        <translation>Kontext-gzip-Abstand</translation>
    </message>
    <message>
        <source>format</source>
        <translation>Format</translation>
    </message>
    <message>
        <source>sentence_bm25</source>
        <translation>Satz-BM25</translation>
    </message>
    <message>
        <source>similarity</source>
        <translation>Ähnlichkeit</translation>
    </message>
    <message>
        <source>tfidf</source>
        <translation>TF-IDF</translation>
    </message>
    <message>
        <source>weight</source>
        <translation>Gewicht</translation>
    </message>
    <message>
        <source>allocation</source>
        <translation>Zuteilung</translation>
    </message>
    <message>
        <source>score</source>
        <translation>Wert</translation>
    </message>
    <message>
        <source>single pass</source>
        <translation>ein Durchgang</translation>
    </message>
    <message>
        <source>coarse ranking</source>
        <translation>Grobranking</translation>
    </message>
    <message>
        <source>context filter</source>
        <translation>Kontextfilter</translation>
    </message>
    <message>
        <source>sentence filter</source>
        <translation>Satzfilter</translation>
    </message>
    <message>
        <source>question sentences</source>
        <translation>Fragesätze</translation>
    </message>
    <message>
        <source>token filter (global)</source>
        <translation>Tokenfilter (global)</translation>
    </message>
    <message>
        <source>token filter (per chunk)</source>
        <translation>Tokenfilter (je Abschnitt)</translation>
    </message>
    <message>
        <source>token budget</source>
        <translation>Token-Budget</translation>
    </message>
    <message>
        <source>percentile filter</source>
        <translation>Perzentilfilter</translation>
    </message>
    <message>
        <source>top self-information</source>
        <translation>höchste Selbstinformation</translation>
    </message>
    <message>
        <source>The text that must be kept (pins, instruction, question) is longer than the requested rate allows</source>
        <translation>Der Text, der erhalten bleiben muss (Pins, Anweisung, Frage), ist länger, als die gewünschte Rate erlaubt</translation>
    </message>
    <message>
        <source>The method&apos;s units are too coarse for the requested rate: %1 of %2 target tokens kept, %3 asked</source>
        <translation>Die Einheiten der Methode sind zu grob für die gewünschte Rate: %1 von %2 Ziel-Tokens behalten, %3 verlangt</translation>
    </message>
    <message>
        <source>The kept contexts hold less than the requested rate: the best words of dropped contexts were kept too</source>
        <translation>Die behaltenen Kontexte enthalten weniger als die gewünschte Rate: die besten Wörter verworfener Kontexte wurden ebenfalls behalten</translation>
    </message>
    <message>
        <source>The kept, protected and pinned text does not allow the requested budget (%1 of %2 tokens)</source>
        <translation>Der behaltene, geschützte und angeheftete Text lässt das gewünschte Budget nicht zu (%1 von %2 Tokens)</translation>
    </message>
    <message>
        <source>The contexts kept by the coarse stage hold less than the requested rate: the best words of dropped ones were kept too</source>
        <translation>Die in der Grobstufe behaltenen Kontexte enthalten weniger als die gewünschte Rate: die besten Wörter der verworfenen wurden ebenfalls behalten</translation>
    </message>
    <message>
        <source>The requested rate keeps more than the surviving sentences hold: text of removed sentences was kept</source>
        <translation>Die gewünschte Rate behält mehr, als die verbliebenen Sätze enthalten: Text entfernter Sätze wurde behalten</translation>
    </message>
    <message>
        <source>The prompt was classified in %1 chunks of at most %2 tokens</source>
        <translation>Der Prompt wurde in %1 Abschnitten zu höchstens %2 Tokens klassifiziert</translation>
    </message>
    <message>
        <source>No trained PIS agent (option &apos;agent&apos; or pis_agent.safetensors beside the model): every sentence gets the same keep fraction</source>
        <translation>Kein trainierter PIS-Agent (Option „agent“ oder pis_agent.safetensors neben dem Modell): jeder Satz erhält denselben Behaltensanteil</translation>
    </message>
    <message>
        <source>The requested rate needs adjacent deletions: the consecutive-token limit was relaxed for the lowest-scored tokens</source>
        <translation>Die gewünschte Rate erfordert benachbarte Löschungen: die Grenze für aufeinanderfolgende Tokens wurde für die am niedrigsten bewerteten Tokens gelockert</translation>
    </message>
    <message>
        <source>Pinned spans are outside the reference algorithm: the pinned decisions override its selection</source>
        <translation>Angeheftete Bereiche gehören nicht zum Referenzalgorithmus: die angehefteten Entscheidungen überschreiben seine Auswahl</translation>
    </message>
    <message>
        <source>No question segment: contexts are ranked by perplexity and the token stage is not question-conditioned</source>
        <translation>Kein Frageabschnitt: Kontexte werden nach Perplexität gereiht und die Token-Stufe ist nicht auf eine Frage bedingt</translation>
    </message>
    <message>
        <source>The prompt reads as %1 demonstrations: the %2 words of their shared format (labels, repeated lines, answer lines) are kept before other words</source>
        <translation>Der Prompt besteht aus %1 Beispielen: die %2 Wörter ihres gemeinsamen Formats (Labels, wiederholte Zeilen, Antwortzeilen) werden vor anderen Wörtern behalten</translation>
    </message>
    <message>
        <source>The prompt is shorter than one window (%1 tokens): the reference leaves most of it uncompressed</source>
        <translation>Der Prompt ist kürzer als ein Fenster (%1 Tokens): die Referenz lässt den Großteil unkomprimiert</translation>
    </message>
    <message>
        <source>stage %1</source>
        <translation>Stufe %1</translation>
    </message>
    <message>
        <source>window %1</source>
        <translation>Fenster %1</translation>
    </message>
    <message>
        <source>word</source>
        <translation>Wort</translation>
    </message>
    <message>
        <source>phrase</source>
        <translation>Phrase</translation>
    </message>
    <message>
        <source>sentence</source>
        <translation>Satz</translation>
    </message>
    <message>
        <source>token</source>
        <translation>Token</translation>
    </message>
    <message>
        <source>words</source>
        <translation>Wörter</translation>
    </message>
    <message>
        <source>phrases</source>
        <translation>Phrasen</translation>
    </message>
    <message>
        <source>sentences</source>
        <translation>Sätze</translation>
    </message>
    <message>
        <source>tokens</source>
        <translation>Tokens</translation>
    </message>
    <message>
        <source>scoring</source>
        <translation>Bewerten</translation>
    </message>
    <message>
        <source>scoring windows</source>
        <translation>Bewerten der Fenster</translation>
    </message>
    <message>
        <source>scoring sentences</source>
        <translation>Bewerten der Sätze</translation>
    </message>
    <message>
        <source>classifying chunks</source>
        <translation>Klassifizieren der Abschnitte</translation>
    </message>
    <message>
        <source>context ranking</source>
        <translation>Kontext-Ranking</translation>
    </message>
    <message>
        <source>token-level compression</source>
        <translation>Kompression auf Tokenebene</translation>
    </message>
    <message>
        <source>DAC stage</source>
        <translation>DAC-Stufe</translation>
    </message>
    <message>
        <source>PIS scoring</source>
        <translation>PIS-Bewertung</translation>
    </message>
    <message>
        <source>PIS sentence filter</source>
        <translation>PIS-Satzfilter</translation>
    </message>
    <message>
        <source>PIS allocation</source>
        <translation>PIS-Zuteilung</translation>
    </message>
    <message>
        <source>done</source>
        <translation>fertig</translation>
    </message>
    <message>
        <source>A setting is out of range or inconsistent</source>
        <translation>Eine Einstellung ist außerhalb des Bereichs oder widersprüchlich</translation>
    </message>
    <message>
        <source>The input cannot be used</source>
        <translation>Die Eingabe ist nicht verwendbar</translation>
    </message>
    <message>
        <source>Not found</source>
        <translation>Nicht gefunden</translation>
    </message>
    <message>
        <source>Reading or writing a file failed</source>
        <translation>Lesen oder Schreiben einer Datei ist fehlgeschlagen</translation>
    </message>
    <message>
        <source>A file is malformed</source>
        <translation>Eine Datei ist fehlerhaft</translation>
    </message>
    <message>
        <source>Not supported by this build</source>
        <translation>In diesem Build nicht unterstützt</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Abgebrochen</translation>
    </message>
    <message>
        <source>The model failed</source>
        <translation>Das Modell ist fehlgeschlagen</translation>
    </message>
    <message>
        <source>The session database failed</source>
        <translation>Die Sitzungsdatenbank ist fehlgeschlagen</translation>
    </message>
    <message>
        <source>Internal error (please report it)</source>
        <translation>Interner Fehler (bitte melden)</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <comment>error category — engine detail</comment>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>The prompt&apos;s last lines ask a question: they are kept whole and the question-aware methods rank against them (in the structured editor the parts are yours)</source>
        <translation>Die letzten Zeilen des Prompts stellen eine Frage: Sie bleiben vollständig erhalten, und die fragebezogenen Methoden ordnen nach ihnen (im strukturierten Editor bestimmen Sie die Teile)</translation>
    </message>
    <message>
        <source>question focus</source>
        <translation>Fragenfokus</translation>
    </message>
</context>
<context>
    <name>terse::app::ExportDialog</name>
    <message>
        <source>Terse cannot write into the folder “%1” (it is read-only or does not exist). Choose another folder.</source>
        <translation>Terse kann nicht in den Ordner „%1“ schreiben (er ist schreibgeschützt oder existiert nicht). Wählen Sie einen anderen Ordner.</translation>
    </message>
    <message>
        <source>“%1” is read-only. Choose another name.</source>
        <translation>„%1“ ist schreibgeschützt. Wählen Sie einen anderen Namen.</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>Export fehlgeschlagen</translation>
    </message>
    <message>
        <source>Nothing was lost: the result is still open; try another place.</source>
        <translation>Es ging nichts verloren: Das Ergebnis ist noch geöffnet; versuchen Sie einen anderen Ort.</translation>
    </message>
</context>
<context>
    <name>terse::app::Exporter</name>
    <message>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <source>Markdown (*.md *.markdown)</source>
        <translation>Markdown (*.md *.markdown)</translation>
    </message>
    <message>
        <source>HTML report (*.html *.htm)</source>
        <translation>HTML-Bericht (*.html *.htm)</translation>
    </message>
    <message>
        <source>CSV, one row per token (*.csv)</source>
        <translation>CSV, eine Zeile pro Token (*.csv)</translation>
    </message>
    <message>
        <source>PNG image (*.png)</source>
        <translation>PNG-Bild (*.png)</translation>
    </message>
    <message>
        <source>SVG image (*.svg)</source>
        <translation>SVG-Bild (*.svg)</translation>
    </message>
    <message>
        <source>Terse compression result</source>
        <translation>Terse-Komprimierungsergebnis</translation>
    </message>
    <message>
        <source>Terse comparison</source>
        <translation>Terse-Vergleich</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Units in</source>
        <translation>Einheiten vorher</translation>
    </message>
    <message>
        <source>Units out</source>
        <translation>Einheiten nachher</translation>
    </message>
    <message>
        <source>Target tokens in</source>
        <translation>Ziel-Tokens vorher</translation>
    </message>
    <message>
        <source>Target tokens out</source>
        <translation>Ziel-Tokens nachher</translation>
    </message>
    <message>
        <source>Achieved rate</source>
        <translation>Erreichte Rate</translation>
    </message>
    <message>
        <source>ROUGE-1</source>
        <translation>ROUGE-1</translation>
    </message>
    <message>
        <source>ROUGE-L</source>
        <translation>ROUGE-L</translation>
    </message>
    <message>
        <source>BLEU</source>
        <translation>BLEU</translation>
    </message>
    <message>
        <source>Total ms</source>
        <translation>Gesamt (ms)</translation>
    </message>
    <message>
        <source>Forward ms</source>
        <translation>Vorwärtsdurchlauf (ms)</translation>
    </message>
    <message>
        <source>score: low → high (relative within each result)</source>
        <translation>Bewertung: niedrig → hoch (relativ innerhalb jedes Ergebnisses)</translation>
    </message>
    <message>
        <source>kept</source>
        <translation>behalten</translation>
    </message>
    <message>
        <source>dropped</source>
        <translation>entfernt</translation>
    </message>
    <message>
        <source>Coloured by: %1</source>
        <translation>Eingefärbt nach: %1</translation>
    </message>
    <message>
        <source>Compressed text</source>
        <translation>Komprimierter Text</translation>
    </message>
    <message>
        <source>Cannot write “%1”: %2</source>
        <translation>„%1“ kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>there is nothing to write.</source>
        <translation>Es gibt nichts zu schreiben.</translation>
    </message>
    <message>
        <source>the folder “%1” does not exist.</source>
        <translation>Der Ordner „%1“ existiert nicht.</translation>
    </message>
    <message>
        <source>it is a folder.</source>
        <translation>Es ist ein Ordner.</translation>
    </message>
    <message>
        <source>the file is read-only.</source>
        <translation>Die Datei ist schreibgeschützt.</translation>
    </message>
</context>
<context>
    <name>terse::app::HistoryDock</name>
    <message>
        <source>%1 failed: %2</source>
        <translation>%1 fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>Rename Session</source>
        <translation>Sitzung umbenennen</translation>
    </message>
    <message>
        <source>Delete Session</source>
        <translation>Sitzung löschen</translation>
    </message>
    <message>
        <source>Branch Session</source>
        <translation>Sitzung verzweigen</translation>
    </message>
    <message>
        <source>History</source>
        <translation>Verlauf</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>Umbenennen</translation>
    </message>
    <message>
        <source>Rename the selected session (F2)</source>
        <translation>Die ausgewählte Sitzung umbenennen (F2)</translation>
    </message>
    <message>
        <source>Branch</source>
        <translation>Verzweigen</translation>
    </message>
    <message>
        <source>Duplicate the selected session to branch an experiment</source>
        <translation>Die ausgewählte Sitzung duplizieren, um ein Experiment abzuzweigen</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <source>Delete the selected session (Del); can be undone</source>
        <translation>Die ausgewählte Sitzung löschen (Entf); kann rückgängig gemacht werden</translation>
    </message>
    <message>
        <source>Search names and prompts…</source>
        <translation>Namen und Prompts durchsuchen…</translation>
    </message>
    <message>
        <source>Only sessions with a run of this method</source>
        <translation>Nur Sitzungen mit einem Lauf dieser Methode</translation>
    </message>
    <message>
        <source>Any method</source>
        <translation>Jede Methode</translation>
    </message>
    <message>
        <source>Tag</source>
        <translation>Schlagwort</translation>
    </message>
    <message>
        <source>Only sessions with this tag</source>
        <translation>Nur Sitzungen mit diesem Schlagwort</translation>
    </message>
    <message>
        <source>Only sessions changed in this period</source>
        <translation>Nur Sitzungen, die in diesem Zeitraum geändert wurden</translation>
    </message>
    <message>
        <source>Any time</source>
        <translation>Beliebiger Zeitpunkt</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Heute</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>Letzte 7 Tage</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>Letzte 30 Tage</translation>
    </message>
    <message>
        <source>Sort order</source>
        <translation>Sortierung</translation>
    </message>
    <message>
        <source>Newest first</source>
        <translation>Neueste zuerst</translation>
    </message>
    <message>
        <source>Oldest first</source>
        <translation>Älteste zuerst</translation>
    </message>
    <message>
        <source>Created, newest</source>
        <translation>Erstellt, neueste</translation>
    </message>
    <message>
        <source>Name A–Z</source>
        <translation>Name A–Z</translation>
    </message>
    <message>
        <source>Name Z–A</source>
        <translation>Name Z–A</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Rückgängig</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>Wiederholen</translation>
    </message>
    <message>
        <source>Session / run</source>
        <translation>Sitzung / Lauf</translation>
    </message>
    <message>
        <source>Updated</source>
        <translation>Geändert</translation>
    </message>
    <message>
        <source>Cannot list sessions: %1</source>
        <translation>Sitzungen können nicht aufgelistet werden: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n run(s)</source>
        <translation>
            <numerusform>%n Lauf</numerusform>
            <numerusform>%n Läufe</numerusform>
        </translation>
    </message>
    <message>
        <source>Tags: %1</source>
        <translation>Schlagwörter: %1</translation>
    </message>
    <message>
        <source>Created %1, updated %2</source>
        <translation>Erstellt %1, geändert %2</translation>
    </message>
    <message>
        <source>%1 · %2 → %3 (%4%)</source>
        <translation>%1 · %2 → %3 (%4 %)</translation>
    </message>
    <message>
        <source>%1, %2 mode</source>
        <translation>%1, Modus %2</translation>
    </message>
    <message>
        <source>Model: %1</source>
        <translation>Modell: %1</translation>
    </message>
    <message>
        <source>Cannot rename the session: %1</source>
        <translation>Die Sitzung kann nicht umbenannt werden: %1</translation>
    </message>
</context>
<context>
    <name>terse::app::MainWindow</name>
    <message>
        <source>Cannot load this model: %1</source>
        <translation>Dieses Modell kann nicht geladen werden: %1</translation>
    </message>
    <message>
        <source>Compression method</source>
        <translation>Komprimierungsmethode</translation>
    </message>
    <message>
        <source>&amp;Method:</source>
        <translation>&amp;Methode:</translation>
    </message>
    <message>
        <source>Rate: the fraction of tokens to keep (compressed / original). Default 0.5.</source>
        <translation>Rate: der Anteil der Tokens, der erhalten bleibt (komprimiert / original). Standard 0,5.</translation>
    </message>
    <message>
        <source>&amp;Rate:</source>
        <translation>&amp;Rate:</translation>
    </message>
    <message>
        <source>Compress</source>
        <translation>Komprimieren</translation>
    </message>
    <message>
        <source>Compress the prompt (Ctrl+Return)</source>
        <translation>Den Prompt komprimieren (Strg+Eingabe)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Stop the running job (Esc)</source>
        <translation>Den laufenden Auftrag anhalten (Esc)</translation>
    </message>
    <message>
        <source>Ready.</source>
        <translation>Bereit.</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>Parameter</translation>
    </message>
    <message>
        <source>M&amp;odel:</source>
        <translation>M&amp;odell:</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Open…</source>
        <translation>Ö&amp;ffnen…</translation>
    </message>
    <message>
        <source>Open prompt</source>
        <translation>Prompt öffnen</translation>
    </message>
    <message>
        <source>Text files (*.txt *.md *.markdown);;All files (*)</source>
        <translation>Textdateien (*.txt *.md *.markdown);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>&amp;Zuletzt geöffnet</translation>
    </message>
    <message>
        <source>&amp;Save Compressed Text As…</source>
        <translation>Komprimierten Text &amp;speichern unter…</translation>
    </message>
    <message>
        <source>&amp;New Session</source>
        <translation>&amp;Neue Sitzung</translation>
    </message>
    <message>
        <source>Open Session &amp;Database…</source>
        <translation>Sitzungs&amp;datenbank öffnen…</translation>
    </message>
    <message>
        <source>Open or create a session database</source>
        <translation>Sitzungsdatenbank öffnen oder anlegen</translation>
    </message>
    <message>
        <source>Terse sessions (*.sqlite3 *.sqlite *.db);;All files (*)</source>
        <translation>Terse-Sitzungen (*.sqlite3 *.sqlite *.db);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>&amp;Export Sessions…</source>
        <translation>Sitzungen &amp;exportieren…</translation>
    </message>
    <message>
        <source>&amp;Import Sessions…</source>
        <translation>Sitzungen &amp;importieren…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Bearbeiten</translation>
    </message>
    <message>
        <source>&amp;Copy Compressed Text</source>
        <translation>Komprimierten Text &amp;kopieren</translation>
    </message>
    <message>
        <source>Undo Session Change</source>
        <translation>Sitzungsänderung rückgängig machen</translation>
    </message>
    <message>
        <source>Redo Session Change</source>
        <translation>Sitzungsänderung wiederholen</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>&amp;Ausführen</translation>
    </message>
    <message>
        <source>&amp;Compress</source>
        <translation>&amp;Komprimieren</translation>
    </message>
    <message>
        <source>C&amp;ancel</source>
        <translation>A&amp;bbrechen</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;About Terse Studio</source>
        <translation>Ü&amp;ber Terse Studio</translation>
    </message>
    <message>
        <source>About Terse Studio</source>
        <translation>Über Terse Studio</translation>
    </message>
    <message>
        <source>&lt;b&gt;Terse Studio %1&lt;/b&gt;&lt;p&gt;A workbench for LLM prompt compression.&lt;/p&gt;&lt;p&gt;libtorch %2, %3 threads.&lt;/p&gt;&lt;p&gt;Licensed under the GNU GPL v3 or later.&lt;/p&gt;</source>
        <translation>&lt;b&gt;Terse Studio %1&lt;/b&gt;&lt;p&gt;Eine Werkbank für die Komprimierung von LLM-Prompts.&lt;/p&gt;&lt;p&gt;libtorch %2, %3 Threads.&lt;/p&gt;&lt;p&gt;Lizenziert unter der GNU GPL v3 oder später.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Language changed; some texts change after a restart.</source>
        <translation>Sprache geändert; manche Texte ändern sich erst nach einem Neustart.</translation>
    </message>
    <message>
        <source>Edit Prompt</source>
        <translation>Prompt bearbeiten</translation>
    </message>
    <message>
        <source>Save &amp;Prompt</source>
        <translation>&amp;Prompt speichern</translation>
    </message>
    <message>
        <source>Save Prompt &amp;As…</source>
        <translation>Prompt speichern &amp;unter…</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>&amp;Rückgängig</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>&amp;Wiederholen</translation>
    </message>
    <message>
        <source>&amp;Structured Prompt Editor</source>
        <translation>&amp;Strukturierter Prompt-Editor</translation>
    </message>
    <message>
        <source>Edit the prompt as instruction, contexts and question</source>
        <translation>Den Prompt als Anweisung, Kontexte und Frage bearbeiten</translation>
    </message>
    <message>
        <source>Answer Check</source>
        <translation>Antwortprüfung</translation>
    </message>
    <message>
        <source>Ask the &amp;Target Model</source>
        <translation>&amp;Zielmodell fragen</translation>
    </message>
    <message>
        <source>Send the original and the compressed prompt to the target model and compare the answers</source>
        <translation>Sendet den ursprünglichen und den komprimierten Prompt an das Zielmodell und vergleicht die Antworten</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>Kosten</translation>
    </message>
    <message>
        <source>Loading the engine…</source>
        <translation>Engine wird geladen…</translation>
    </message>
    <message>
        <source>Loading the model engine…</source>
        <translation>Modell-Engine wird geladen…</translation>
    </message>
    <message>
        <source>No engine</source>
        <translation>Keine Engine</translation>
    </message>
    <message>
        <source>The model engine is not available.</source>
        <translation>Die Modell-Engine ist nicht verfügbar.</translation>
    </message>
    <message>
        <source>The model engine could not be loaded, so nothing can be compressed: %1</source>
        <translation>Die Modell-Engine konnte nicht geladen werden, daher kann nichts komprimiert werden: %1</translation>
    </message>
    <message>
        <source>not loaded</source>
        <translation>nicht geladen</translation>
    </message>
</context>
<context>
    <name>terse::app::ModelPicker</name>
    <message>
        <source>Model that scores the prompt</source>
        <translation>Modell, das den Prompt bewertet</translation>
    </message>
    <message>
        <source>Add model…</source>
        <translation>Modell hinzufügen…</translation>
    </message>
    <message>
        <source>Add a model file (.safetensors, .gguf, .bin) or a model folder</source>
        <translation>Eine Modelldatei (.safetensors, .gguf, .bin) oder einen Modellordner hinzufügen</translation>
    </message>
    <message>
        <source>Model &amp;Folder…</source>
        <translation>Modell&amp;ordner…</translation>
    </message>
    <message>
        <source>Add model folder</source>
        <translation>Modellordner hinzufügen</translation>
    </message>
    <message>
        <source>Model &amp;File…</source>
        <translation>Modell&amp;datei…</translation>
    </message>
    <message>
        <source>Add model file</source>
        <translation>Modelldatei hinzufügen</translation>
    </message>
    <message>
        <source>Model files (*.safetensors *.gguf *.bin);;All files (*)</source>
        <translation>Modelldateien (*.safetensors *.gguf *.bin);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Method default</source>
        <translation>Standard der Methode</translation>
    </message>
    <message>
        <source>Each method uses its own default model</source>
        <translation>Jede Methode verwendet ihr eigenes Standardmodell</translation>
    </message>
    <message>
        <source>Terse LM</source>
        <translation>Terse-Sprachmodell</translation>
    </message>
    <message>
        <source>Terse tagger</source>
        <translation>Terse-Tagger</translation>
    </message>
    <message>
        <source>%1 (bundled)</source>
        <translation>%1 (mitgeliefert)</translation>
    </message>
    <message>
        <source>%1 (not installed)</source>
        <translation>%1 (nicht installiert)</translation>
    </message>
    <message>
        <source>HuggingFace cache: %1
%2</source>
        <translation>HuggingFace-Cache: %1
%2</translation>
    </message>
    <message>
        <source>Only pickle weights: convert to safetensors to use it.</source>
        <translation>Nur Pickle-Gewichte: zur Verwendung in safetensors umwandeln.</translation>
    </message>
    <message>
        <source>%1 (HF cache)</source>
        <translation>%1 (HF-Cache)</translation>
    </message>
    <message>
        <source>&apos;%1&apos; does not exist.</source>
        <translation>&apos;%1&apos; existiert nicht.</translation>
    </message>
    <message>
        <source>&apos;%1&apos; holds no model Terse can load: %2</source>
        <translation>&apos;%1&apos; enthält kein Modell, das Terse laden kann: %2</translation>
    </message>
    <message>
        <source>Cannot check &apos;%1&apos;: %2</source>
        <translation>&apos;%1&apos; kann nicht geprüft werden: %2</translation>
    </message>
</context>
<context>
    <name>terse::app::ParameterPanel</name>
    <message>
        <source>Method parameters</source>
        <translation>Methodenparameter</translation>
    </message>
    <message>
        <source>This method has no parameters.</source>
        <translation>Diese Methode hat keine Parameter.</translation>
    </message>
    <message>
        <source>Common</source>
        <translation>Allgemein</translation>
    </message>
    <message>
        <source>Corrected</source>
        <translation>Korrigiert</translation>
    </message>
    <message>
        <source>Reference</source>
        <translation>Referenz</translation>
    </message>
    <message>
        <source>Corrected fixes the reference implementation&apos;s quirks so the achieved rate matches the requested one; Reference reproduces the reference exactly (parity).</source>
        <translation>„Korrigiert“ behebt die Eigenheiten der Referenzimplementierung, sodass die erreichte Rate der angeforderten entspricht; „Referenz“ bildet die Referenz exakt nach (Parität).</translation>
    </message>
    <message>
        <source>Mode (default corrected):</source>
        <translation>Modus (Standard: korrigiert):</translation>
    </message>
    <message>
        <source>Random seed for methods with randomness.</source>
        <translation>Zufallsstartwert für Methoden mit Zufall.</translation>
    </message>
    <message>
        <source>Seed (default %1):</source>
        <translation>Startwert (Standard %1):</translation>
    </message>
    <message>
        <source>use rate</source>
        <translation>Rate verwenden</translation>
    </message>
    <message>
        <source>Token budget of the output; 0 uses the rate instead.</source>
        <translation>Token-Budget der Ausgabe; 0 verwendet stattdessen die Rate.</translation>
    </message>
    <message>
        <source>Target tokens (default 0 = rate):</source>
        <translation>Ziel-Tokens (Standard 0 = Rate):</translation>
    </message>
    <message>
        <source>Reset to Defaults</source>
        <translation>Auf Standardwerte zurücksetzen</translation>
    </message>
    <message>
        <source>Set every parameter back to the method&apos;s default</source>
        <translation>Alle Parameter auf die Standardwerte der Methode zurücksetzen</translation>
    </message>
    <message>
        <source>%1:</source>
        <translation>%1:</translation>
    </message>
    <message>
        <source>%1 (default %2):</source>
        <translation>%1 (Standard %2):</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>Automatic (the GPU when there is one)</source>
        <translation>Automatisch (die GPU, wenn vorhanden)</translation>
    </message>
    <message>
        <source>GPU (CUDA)</source>
        <translation>GPU (CUDA)</translation>
    </message>
    <message>
        <source>Not available: this build&apos;s libtorch has no CUDA, or no GPU is visible.</source>
        <translation>Nicht verfügbar: Die libtorch dieses Builds hat kein CUDA, oder es ist keine GPU sichtbar.</translation>
    </message>
    <message>
        <source>Runs on the CPU here: no GPU is available.</source>
        <translation>Läuft hier auf der CPU: Es ist keine GPU verfügbar.</translation>
    </message>
    <message>
        <source>Where the models run. Methods without a model ignore it.</source>
        <translation>Wo die Modelle laufen. Methoden ohne Modell ignorieren das.</translation>
    </message>
    <message>
        <source>Device (default CPU):</source>
        <translation>Gerät (Standard CPU):</translation>
    </message>
    <message>
        <source>Known once the model engine has loaded.</source>
        <translation>Bekannt, sobald die Modell-Engine geladen ist.</translation>
    </message>
    <message>
        <source>Loading the engine…</source>
        <translation>Engine wird geladen…</translation>
    </message>
    <message>
        <source>Bundled (terse-words)</source>
        <translation>Mitgeliefert (terse-words)</translation>
    </message>
    <message>
        <source>None (exact words)</source>
        <translation>Keine (exakte Wörter)</translation>
    </message>
    <message>
        <source>Choose a file…</source>
        <translation>Datei wählen…</translation>
    </message>
    <message>
        <source>Corrected mode: the question-aware rankings (coarse ranking, question sentences, question focus) also match a question&apos;s words to near-synonyms in the text (movie ~ film) through these word vectors. None matches exact words only; a file comes from `terse train vectors`. Reference mode never uses them.</source>
        <translation>Korrigierter Modus: die fragebezogenen Rangfolgen (Grobrangfolge, Fragesätze, Fragefokus) ordnen die Wörter einer Frage über diese Wortvektoren auch Beinahe-Synonymen im Text zu (movie ~ film). Keine: nur exakte Wörter; eine Datei stammt aus `terse train vectors`. Der Referenzmodus verwendet sie nie.</translation>
    </message>
    <message>
        <source>Word vectors (default bundled):</source>
        <translation>Wortvektoren (Standard mitgeliefert):</translation>
    </message>
    <message>
        <source>Word vectors</source>
        <translation>Wortvektoren</translation>
    </message>
    <message>
        <source>Word vectors (*.safetensors);;All files (*)</source>
        <translation>Wortvektoren (*.safetensors);;Alle Dateien (*)</translation>
    </message>
</context>
<context>
    <name>terse::app::PinList</name>
    <message>
        <source>&lt;b&gt;Pinned words&lt;/b&gt;</source>
        <translation>&lt;b&gt;Fixierte Wörter&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Click a word in the result to pin it: keep → drop → unpinned. Every method honours pins.</source>
        <translation>Ein Wort im Ergebnis anklicken, um es zu fixieren: behalten → entfernen → gelöst. Jede Methode beachtet fixierte Wörter.</translation>
    </message>
    <message>
        <source>Unpin</source>
        <translation>Lösen</translation>
    </message>
    <message>
        <source>Unpin All</source>
        <translation>Alle lösen</translation>
    </message>
    <message>
        <source>keep: %1</source>
        <translation>behalten: %1</translation>
    </message>
    <message>
        <source>drop: %1</source>
        <translation>entfernen: %1</translation>
    </message>
    <message>
        <source>None: click a word in the result to pin it.</source>
        <translation>Keine: ein Wort im Ergebnis anklicken, um es zu fixieren.</translation>
    </message>
</context>
<context>
    <name>terse::app::ResultAdapter</name>
    <message>
        <source>Instructions and questions are kept verbatim.</source>
        <translation>Anweisungen und Fragen bleiben wörtlich erhalten.</translation>
    </message>
    <message>
        <source>Pinned: always kept.</source>
        <translation>Angeheftet: immer behalten.</translation>
    </message>
    <message>
        <source>Pinned: always dropped.</source>
        <translation>Angeheftet: immer entfernt.</translation>
    </message>
    <message>
        <source>Kept: %1 %2 is at or above the threshold %3.</source>
        <translation>Behalten: %1 %2 liegt auf oder über dem Schwellenwert %3.</translation>
    </message>
    <message>
        <source>Dropped: %1 %2 is below the threshold %3.</source>
        <translation>Entfernt: %1 %2 liegt unter dem Schwellenwert %3.</translation>
    </message>
    <message>
        <source>Kept.</source>
        <translation>Behalten.</translation>
    </message>
    <message>
        <source>Dropped.</source>
        <translation>Entfernt.</translation>
    </message>
    <message>
        <source>Removed in stage: %1.</source>
        <translation>Entfernt in Stufe: %1.</translation>
    </message>
    <message>
        <source>Still present after stage: %1.</source>
        <translation>Nach Stufe %1 noch vorhanden.</translation>
    </message>
    <message>
        <source>Dropped later.</source>
        <translation>Später entfernt.</translation>
    </message>
    <message>
        <source>Pinned by you: always kept (click again to pin as dropped).</source>
        <translation>Von Ihnen fixiert: immer behalten (erneut klicken, um es als entfernt zu fixieren).</translation>
    </message>
    <message>
        <source>Pinned by you: always dropped (click again to unpin).</source>
        <translation>Von Ihnen fixiert: immer entfernt (erneut klicken, um es zu lösen).</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <comment>milliseconds</comment>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>%1 s</source>
        <comment>seconds</comment>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 min</source>
        <comment>minutes</comment>
        <translation>%1 min</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <comment>minutes and seconds</comment>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <source>%1 h</source>
        <comment>hours</comment>
        <translation>%1 h</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <comment>hours and minutes</comment>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>%1 → %2 target tokens (%3% kept, requested %4%) · %5 → %6 %7 · %8</source>
        <translation>%1 → %2 Ziel-Tokens (%3 % behalten, angefordert %4 %) · %5 → %6 %7 · %8</translation>
    </message>
    <message>
        <source>%1 → %2 %3 (%4% kept, requested %5%) · %6</source>
        <translation>%1 → %2 %3 (%4 % behalten, angefordert %5 %) · %6</translation>
    </message>
    <message>
        <source>Pieces: %1.</source>
        <translation>Teile: %1.</translation>
    </message>
</context>
<context>
    <name>terse::app::ResultInspector</name>
    <message>
        <source>No result yet: paste a prompt and press Compress.</source>
        <translation>Noch kein Ergebnis: Prompt einfügen und auf Komprimieren drücken.</translation>
    </message>
    <message>
        <source>Colour tokens by this score</source>
        <translation>Tokens nach dieser Bewertung einfärben</translation>
    </message>
    <message>
        <source>Colour &amp;by:</source>
        <translation>&amp;Färben nach:</translation>
    </message>
    <message>
        <source>Click a word to pin it (keep → drop → unpinned); Ctrl+click to see its attention; right-click for more.</source>
        <translation>Wort anklicken zum Fixieren (behalten → entfernen → gelöst); Strg+Klick zeigt seine Attention; Rechtsklick für mehr.</translation>
    </message>
    <message>
        <source>Transformer layer (0 = first)</source>
        <translation>Transformer-Schicht (0 = erste)</translation>
    </message>
    <message>
        <source>all (sum)</source>
        <translation>alle (Summe)</translation>
    </message>
    <message>
        <source>Attention head; “all” sums the heads of the layer</source>
        <translation>Attention-Kopf; „alle“ summiert die Köpfe der Schicht</translation>
    </message>
    <message>
        <source>&amp;Layer:</source>
        <translation>&amp;Schicht:</translation>
    </message>
    <message>
        <source>&amp;Head:</source>
        <translation>&amp;Kopf:</translation>
    </message>
    <message>
        <source>Ctrl+click a word in the result to see where it attends.</source>
        <translation>Strg+Klick auf ein Wort im Ergebnis zeigt, worauf es achtet.</translation>
    </message>
    <message>
        <source>Scores</source>
        <translation>Bewertungen</translation>
    </message>
    <message>
        <source>Histogram</source>
        <translation>Histogramm</translation>
    </message>
    <message>
        <source>Entropy Shift</source>
        <translation>Entropieverschiebung</translation>
    </message>
    <message>
        <source>Attention</source>
        <translation>Attention</translation>
    </message>
    <message>
        <source>The colouring score per token, kept tokens marked, with the threshold and window boundaries</source>
        <translation>Die Färbungsbewertung je Token, behaltene Tokens markiert, mit Schwelle und Fenstergrenzen</translation>
    </message>
    <message>
        <source>Distribution of the colouring score, kept and dropped, with the threshold</source>
        <translation>Verteilung der Färbungsbewertung, behalten und entfernt, mit der Schwelle</translation>
    </message>
    <message>
        <source>Per-token entropy before and after a stage of dynamic DAC</source>
        <translation>Entropie je Token vor und nach einer Stufe des dynamischen DAC</translation>
    </message>
    <message>
        <source>One layer/head&apos;s attention row from the selected word</source>
        <translation>Die Attention-Zeile einer Schicht/eines Kopfes vom ausgewählten Wort</translation>
    </message>
    <message>
        <source>decision only</source>
        <translation>nur Entscheidung</translation>
    </message>
    <message>
        <source>entropy before %1</source>
        <translation>Entropie vor %1</translation>
    </message>
    <message>
        <source>entropy after %1</source>
        <translation>Entropie nach %1</translation>
    </message>
    <message>
        <source>Computing the attention row of “%1”…</source>
        <translation>Attention-Zeile von „%1“ wird berechnet…</translation>
    </message>
    <message>
        <source>No attention row: %1</source>
        <translation>Keine Attention-Zeile: %1</translation>
    </message>
    <message>
        <source>all heads</source>
        <translation>alle Köpfe</translation>
    </message>
    <message>
        <source>head %1</source>
        <translation>Kopf %1</translation>
    </message>
    <message>
        <source>attention from “%1” · layer %2 · %3</source>
        <translation>Attention von „%1“ · Schicht %2 · %3</translation>
    </message>
    <message>
        <source>%1 model tokens · %2</source>
        <translation>%1 Modell-Tokens · %2</translation>
    </message>
    <message>
        <source>Pin: Always &amp;Keep</source>
        <translation>Fixieren: immer &amp;behalten</translation>
    </message>
    <message>
        <source>Pin: Always &amp;Drop</source>
        <translation>Fixieren: immer &amp;entfernen</translation>
    </message>
    <message>
        <source>&amp;Unpin</source>
        <translation>&amp;Lösen</translation>
    </message>
    <message>
        <source>Show &amp;Attention from Here</source>
        <translation>&amp;Attention von hier zeigen</translation>
    </message>
    <message>
        <source>removed in %1</source>
        <translation>entfernt in %1</translation>
    </message>
    <message>
        <source>entropy (nats)</source>
        <translation>Entropie (nats)</translation>
    </message>
    <message>
        <source>Nothing to plot yet. After you compress, this shows each token&apos;s score against the threshold, the distribution of the scores and the attention of a word you Ctrl+click.</source>
        <translation>Noch nichts darzustellen. Nach dem Komprimieren zeigt dieser Bereich die Bewertung jedes Tokens mit der Schwelle, die Verteilung der Bewertungen und die Aufmerksamkeit eines Worts, das Sie mit Strg+Klick wählen.</translation>
    </message>
    <message>
        <source>Stronger colour = higher %1 · threshold %2: at or above is kept · struck through = dropped</source>
        <translation>Kräftigere Farbe = höheres %1 · Schwelle %2: ab dort behalten · durchgestrichen = entfernt</translation>
    </message>
    <message>
        <source>Stronger colour = higher %1 · struck through = dropped</source>
        <translation>Kräftigere Farbe = höheres %1 · durchgestrichen = entfernt</translation>
    </message>
    <message>
        <source>No colours: only whether each unit was kept (struck through = dropped).</source>
        <translation>Keine Farben: nur, ob jede Einheit behalten wurde (durchgestrichen = entfernt).</translation>
    </message>
    <message>
        <source>score: a random number per unit (Random baseline); the highest are kept.</source>
        <translation>score: eine Zufallszahl pro Einheit (Zufalls-Baseline); die höchsten werden behalten.</translation>
    </message>
    <message>
        <source>score: the value this ablation ranks units by; the highest are kept.</source>
        <translation>score: der Wert, nach dem diese Ablation die Einheiten ordnet; die höchsten werden behalten.</translation>
    </message>
    <message>
        <source>score: the unit&apos;s position as the baseline ranks it (head, tail); the highest are kept.</source>
        <translation>score: die Position der Einheit, wie die Baseline sie ordnet (Anfang, Ende); die höchsten werden behalten.</translation>
    </message>
    <message>
        <source>self_information: −log p of the unit under the language model, summed over its tokens (Selective-Context); surprising units carry information and are kept.</source>
        <translation>self_information: −log p der Einheit unter dem Sprachmodell, summiert über ihre Tokens (Selective-Context); überraschende Einheiten tragen Information und werden behalten.</translation>
    </message>
    <message>
        <source>surprisal: −log p(token | what precedes it) under the small language model (LLMLingua&apos;s perplexity); the most surprising tokens are kept.</source>
        <translation>surprisal: −log p(Token | Vorangehendes) unter dem kleinen Sprachmodell (die Perplexität von LLMLingua); die überraschendsten Tokens werden behalten.</translation>
    </message>
    <message>
        <source>probability: the tagger&apos;s probability that a word should be kept (LLMLingua-2).</source>
        <translation>probability: die Wahrscheinlichkeit des Taggers, dass ein Wort behalten werden soll (LLMLingua-2).</translation>
    </message>
    <message>
        <source>probability_no_force: the tagger&apos;s keep probability before force tokens are set to 1 (LLMLingua-2&apos;s context score).</source>
        <translation>probability_no_force: die Behalten-Wahrscheinlichkeit des Taggers, bevor Force-Tokens auf 1 gesetzt werden (Kontextbewertung von LLMLingua-2).</translation>
    </message>
    <message>
        <source>probability_final: the keep probability the decision used, after force tokens, digits and protected text (LLMLingua-2).</source>
        <translation>probability_final: die Behalten-Wahrscheinlichkeit, nach der entschieden wurde, nach Force-Tokens, Ziffern und geschütztem Text (LLMLingua-2).</translation>
    </message>
    <message>
        <source>entropy: how uncertain the language model is at the token, in nats (DAC, entropy ablation).</source>
        <translation>entropy: wie unsicher das Sprachmodell beim Token ist, in Nats (DAC, Entropie-Ablation).</translation>
    </message>
    <message>
        <source>attention: how much attention the token receives from later tokens, averaged over layers and heads (DAC, PIS, attention ablation).</source>
        <translation>attention: wie viel Attention das Token von späteren Tokens erhält, gemittelt über Schichten und Köpfe (DAC, PIS, Attention-Ablation).</translation>
    </message>
    <message>
        <source>fused: DAC&apos;s combination of entropy and attention, weighted by α; the highest are kept.</source>
        <translation>fused: die mit α gewichtete Kombination aus Entropie und Attention von DAC; die höchsten werden behalten.</translation>
    </message>
    <message>
        <source>tfidf: how distinctive the token is for this prompt (PIS&apos;s term weighting).</source>
        <translation>tfidf: wie kennzeichnend das Token für diesen Prompt ist (Termgewichtung von PIS).</translation>
    </message>
    <message>
        <source>weight: PIS&apos;s final token weight from attention and TF-IDF; the highest are kept.</source>
        <translation>weight: das endgültige Token-Gewicht von PIS aus Attention und TF-IDF; die höchsten werden behalten.</translation>
    </message>
    <message>
        <source>restored: 1 where recovery put back original text.</source>
        <translation>restored: 1, wo die Wiederherstellung Originaltext eingesetzt hat.</translation>
    </message>
    <message>
        <source>%1: a score computed by %2.</source>
        <translation>%1: eine von %2 berechnete Bewertung.</translation>
    </message>
    <message>
        <source>the method</source>
        <translation>der Methode</translation>
    </message>
    <message>
        <source>the model&apos;s window ending at the word (tokens %1–%2); earlier tokens are outside it</source>
        <translation>das Fenster des Modells, das beim Wort endet (Tokens %1–%2); frühere Tokens liegen außerhalb</translation>
    </message>
</context>
<context>
    <name>terse::app::RunController</name>
    <message>
        <source>Compressing: %1 (%2 of %3)</source>
        <translation>Komprimiere: %1 (%2 von %3)</translation>
    </message>
    <message>
        <source>Compressing: %1…</source>
        <translation>Komprimiere: %1…</translation>
    </message>
    <message>
        <source>about %1 left</source>
        <translation>noch etwa %1</translation>
    </message>
    <message>
        <source>Re-decided from cached scores.</source>
        <translation>Aus zwischengespeicherten Bewertungen neu entschieden.</translation>
    </message>
    <message>
        <source>Done.</source>
        <translation>Fertig.</translation>
    </message>
    <message>
        <source>Compression failed: %1</source>
        <translation>Komprimierung fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Failed.</source>
        <translation>Fehlgeschlagen.</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>Abgebrochen.</translation>
    </message>
    <message>
        <source>The prompt is empty: paste or open some text first.</source>
        <translation>Der Prompt ist leer: fügen Sie zuerst Text ein oder öffnen Sie eine Datei.</translation>
    </message>
    <message>
        <source>The prompt cannot be compressed: %1</source>
        <translation>Der Prompt kann nicht komprimiert werden: %1</translation>
    </message>
    <message>
        <source>Compressing…</source>
        <translation>Komprimiere…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Breche ab…</translation>
    </message>
    <message>
        <source>Note: %1.</source>
        <translation>Hinweis: %1.</translation>
    </message>
    <message>
        <source>Warning: %1.</source>
        <translation>Warnung: %1.</translation>
    </message>
    <message>
        <source>Partial result: %1 of %2 stages done, the run goes on. The stage slider fills as stages finish; Cancel keeps the last complete result.</source>
        <translation>Teilergebnis: %1 von %2 Stufen fertig, der Lauf geht weiter. Der Stufenregler füllt sich, sobald Stufen fertig sind; Abbrechen behält das letzte vollständige Ergebnis.</translation>
    </message>
    <message>
        <source>Outdated: a new result is being computed.</source>
        <translation>Veraltet: Ein neues Ergebnis wird berechnet.</translation>
    </message>
    <message>
        <source>Outdated: the prompt changed after this result. Compress to update it.</source>
        <translation>Veraltet: Der Prompt wurde nach diesem Ergebnis geändert. Komprimieren Sie, um es zu aktualisieren.</translation>
    </message>
    <message>
        <source>Outdated: this result was computed with other settings (%1 at rate %2). Compress to update it.</source>
        <translation>Veraltet: Dieses Ergebnis wurde mit anderen Einstellungen berechnet (%1 mit Rate %2). Komprimieren Sie, um es zu aktualisieren.</translation>
    </message>
    <message>
        <source>Nothing to save yet: compress a prompt first.</source>
        <translation>Noch nichts zu speichern: komprimieren Sie zuerst einen Prompt.</translation>
    </message>
    <message>
        <source>Save compressed text</source>
        <translation>Komprimierten Text speichern</translation>
    </message>
    <message>
        <source>Text files (*.txt);;All files (*)</source>
        <translation>Textdateien (*.txt);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Cannot save “%1”: %2</source>
        <translation>„%1“ kann nicht gespeichert werden: %2</translation>
    </message>
</context>
<context>
    <name>terse::app::SessionController</name>
    <message>
        <source>Sessions are not saved: %1</source>
        <translation>Sitzungen werden nicht gespeichert: %1</translation>
    </message>
    <message>
        <source>New session started: the next runs are saved into it.</source>
        <translation>Neue Sitzung begonnen: die nächsten Läufe werden darin gespeichert.</translation>
    </message>
    <message>
        <source>Autosave failed: %1</source>
        <translation>Automatisches Speichern fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Restored your last working state.</source>
        <translation>Ihr letzter Arbeitsstand wurde wiederhergestellt.</translation>
    </message>
    <message>
        <source>The run was not saved: %1</source>
        <translation>Der Lauf wurde nicht gespeichert: %1</translation>
    </message>
    <message>
        <source>Cannot load the saved run: %1</source>
        <translation>Der gespeicherte Lauf kann nicht geladen werden: %1</translation>
    </message>
    <message>
        <source>Showing a saved %1 run from %2 (not recomputed).</source>
        <translation>Gespeicherter %1-Lauf vom %2 (nicht neu berechnet).</translation>
    </message>
    <message>
        <source>No session database is open.</source>
        <translation>Keine Sitzungsdatenbank ist geöffnet.</translation>
    </message>
    <message>
        <source>Export sessions</source>
        <translation>Sitzungen exportieren</translation>
    </message>
    <message>
        <source>JSON files (*.json);;All files (*)</source>
        <translation>JSON-Dateien (*.json);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Export only the selected session?</source>
        <translation>Nur die ausgewählte Sitzung exportieren?</translation>
    </message>
    <message>
        <source>Cannot export sessions to “%1”: %2</source>
        <translation>Sitzungen können nicht nach „%1“ exportiert werden: %2</translation>
    </message>
    <message>
        <source>Exported to %1.</source>
        <translation>Nach %1 exportiert.</translation>
    </message>
    <message>
        <source>No writable session database is open.</source>
        <translation>Keine beschreibbare Sitzungsdatenbank ist geöffnet.</translation>
    </message>
    <message>
        <source>Import sessions</source>
        <translation>Sitzungen importieren</translation>
    </message>
    <message>
        <source>Cannot import “%1”: %2</source>
        <translation>„%1“ kann nicht importiert werden: %2</translation>
    </message>
    <message numerus="yes">
        <source>Imported %n session(s).</source>
        <translation>
            <numerusform>%n Sitzung importiert.</numerusform>
            <numerusform>%n Sitzungen importiert.</numerusform>
        </translation>
    </message>
    <message>
        <source>“%1” skipped: %2</source>
        <translation>„%1“ übersprungen: %2</translation>
    </message>
</context>
<context>
    <name>terse::app::SessionManager</name>
    <message>
        <source>Sessions: not opened yet.</source>
        <translation>Sitzungen: noch nicht geöffnet.</translation>
    </message>
    <message>
        <source>Opening %1…</source>
        <translation>Öffne %1…</translation>
    </message>
    <message>
        <source>The session database “%1” cannot be used: %2. Terse left the file as it is.</source>
        <translation>Die Sitzungsdatenbank „%1“ kann nicht verwendet werden: %2. Terse hat die Datei unverändert gelassen.</translation>
    </message>
    <message>
        <source>Cannot open the session database “%1”: %2</source>
        <translation>Die Sitzungsdatenbank „%1“ kann nicht geöffnet werden: %2</translation>
    </message>
    <message>
        <source>Still saving to %1.</source>
        <translation>Es wird weiterhin in %1 gespeichert.</translation>
    </message>
    <message>
        <source>Not saving sessions: %1 could not be opened. Use File › Open Session Database… to choose another file.</source>
        <translation>Sitzungen werden nicht gespeichert: %1 konnte nicht geöffnet werden. Wählen Sie mit Datei › Sitzungsdatenbank öffnen… eine andere Datei.</translation>
    </message>
    <message>
        <source>Read-only: %1 was written by a newer Terse (schema %2); runs are not saved.</source>
        <translation>Schreibgeschützt: %1 wurde von einer neueren Terse-Version geschrieben (Schema %2); Läufe werden nicht gespeichert.</translation>
    </message>
    <message>
        <source>Read-only: %1</source>
        <translation>Schreibgeschützt: %1</translation>
    </message>
    <message>
        <source>Session %1</source>
        <translation>Sitzung %1</translation>
    </message>
    <message>
        <source>Saving sessions to %1 (opened in %2)</source>
        <translation>Sitzungen werden in %1 gespeichert (geöffnet in %2)</translation>
    </message>
</context>
<context>
    <name>terse::app::WorkbenchActions</name>
    <message>
        <source>&amp;Run</source>
        <translation>&amp;Ausführen</translation>
    </message>
    <message>
        <source>Compare &amp;Methods…</source>
        <translation>&amp;Methoden vergleichen…</translation>
    </message>
    <message>
        <source>Run several methods or settings on this prompt and compare them side by side</source>
        <translation>Mehrere Methoden oder Einstellungen auf diesen Prompt anwenden und nebeneinander vergleichen</translation>
    </message>
    <message>
        <source>&amp;Export Result…</source>
        <translation>Ergebnis &amp;exportieren…</translation>
    </message>
    <message>
        <source>Save the shown result as JSON, Markdown, HTML (with the heatmap) or CSV</source>
        <translation>Das angezeigte Ergebnis als JSON, Markdown, HTML (mit Heatmap) oder CSV speichern</translation>
    </message>
    <message>
        <source>Export Score &amp;Plot…</source>
        <translation>Bewertungs&amp;diagramm exportieren…</translation>
    </message>
    <message>
        <source>Save the score plot as a PNG or SVG image</source>
        <translation>Das Bewertungsdiagramm als PNG- oder SVG-Bild speichern</translation>
    </message>
    <message>
        <source>Nothing to export yet: compress a prompt first.</source>
        <translation>Noch nichts zu exportieren: Komprimieren Sie zuerst einen Prompt.</translation>
    </message>
    <message>
        <source>Cannot export to “%1”: use a .json, .md, .html or .csv file name.</source>
        <translation>Export nach „%1“ nicht möglich: Verwenden Sie einen Dateinamen mit .json, .md, .html oder .csv.</translation>
    </message>
    <message>
        <source>Nothing to export yet: the score plot is empty.</source>
        <translation>Noch nichts zu exportieren: Das Bewertungsdiagramm ist leer.</translation>
    </message>
    <message>
        <source>Cannot export the plot to “%1”: use a .png or .svg file name.</source>
        <translation>Diagramm kann nicht nach „%1“ exportiert werden: Verwenden Sie einen Dateinamen mit .png oder .svg.</translation>
    </message>
    <message>
        <source>Export result</source>
        <translation>Ergebnis exportieren</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>Export fehlgeschlagen</translation>
    </message>
    <message>
        <source>Nothing was lost: the result is still open; try another place.</source>
        <translation>Es ging nichts verloren: Das Ergebnis ist noch geöffnet; versuchen Sie einen anderen Ort.</translation>
    </message>
    <message>
        <source>Export score plot</source>
        <translation>Bewertungsdiagramm exportieren</translation>
    </message>
</context>
<context>
    <name>terse::engine</name>
    <message>
        <source>Unit</source>
        <translation>Einheit</translation>
    </message>
    <message>
        <source>token, phrase or sent (reference default phrase). Phrases without spaCy: a run of words broken before each function word (articles, prepositions, pronouns, auxiliaries) unless the phrase so far is all function words; punctuation marks are units of their own.</source>
        <translation>token, phrase oder sent (Referenz-Standard: phrase). Phrasen ohne spaCy: eine Wortfolge, die vor jedem Funktionswort (Artikel, Präpositionen, Pronomen, Hilfsverben) getrennt wird, sofern die bisherige Phrase nicht nur aus Funktionswörtern besteht; Satzzeichen bilden eigene Einheiten.</translation>
    </message>
    <message>
        <source>Unit score</source>
        <translation>Einheiten-Score</translation>
    </message>
    <message>
        <source>Corrected mode: sum (total self-information of the unit) or mean per token (reference mode always uses the mean).</source>
        <translation>Korrigierter Modus: sum (gesamte Selbstinformation der Einheit) oder mean pro Token (der Referenzmodus verwendet immer den Mittelwert).</translation>
    </message>
    <message>
        <source>Protect regex</source>
        <translation>Schutz-Regex</translation>
    </message>
    <message>
        <source>Corrected mode: text matching this PCRE2 pattern is kept verbatim.</source>
        <translation>Korrigierter Modus: Text, der auf dieses PCRE2-Muster passt, bleibt unverändert erhalten.</translation>
    </message>
    <message>
        <source>Keep structure</source>
        <translation>Struktur erhalten</translation>
    </message>
    <message>
        <source>Corrected mode: fenced code blocks are kept whole, JSON keys and punctuation are kept.</source>
        <translation>Korrigierter Modus: umzäunte Codeblöcke bleiben vollständig erhalten, JSON-Schlüssel und Satzzeichen werden beibehalten.</translation>
    </message>
    <message>
        <source>Keep words whole</source>
        <translation>Wörter ganz lassen</translation>
    </message>
    <message>
        <source>Corrected mode: token units are whole words and numbers/identifiers (ABC-123, 3.14) are never split.</source>
        <translation>Korrigierter Modus: Token-Einheiten sind ganze Wörter; Zahlen/Bezeichner (ABC-123, 3.14) werden nie getrennt.</translation>
    </message>
    <message>
        <source>Force tokens</source>
        <translation>Erzwungene Tokens</translation>
    </message>
    <message>
        <source>Always kept (p = 1); whitespace-separated with escapes (\n, \s); tokens that are not one subword map to [NEWi] (LLMLingua-2 force_tokens).</source>
        <translation>Immer behalten (p = 1); durch Leerraum getrennt, mit Escapes (\n, \s); Tokens, die kein einzelnes Subword sind, werden auf [NEWi] abgebildet (LLMLingua-2 force_tokens).</translation>
    </message>
    <message>
        <source>Chunk end tokens</source>
        <translation>Chunk-End-Tokens</translation>
    </message>
    <message>
        <source>512-token chunks end after one of these (reference chunk_end_tokens).</source>
        <translation>Chunks mit 512 Tokens enden nach einem dieser Tokens (Referenz chunk_end_tokens).</translation>
    </message>
    <message>
        <source>Drop consecutive force tokens</source>
        <translation>Aufeinanderfolgende erzwungene Tokens entfernen</translation>
    </message>
    <message>
        <source>Drops a force token repeating the previous one with nothing important between (reference drop_consecutive).</source>
        <translation>Entfernt ein erzwungenes Token, das das vorherige ohne Wichtiges dazwischen wiederholt (Referenz drop_consecutive).</translation>
    </message>
    <message>
        <source>Keep digits</source>
        <translation>Ziffern behalten</translation>
    </message>
    <message>
        <source>Words with a digit get p = 1 (reference force_reserve_digit).</source>
        <translation>Wörter mit einer Ziffer erhalten p = 1 (Referenz force_reserve_digit).</translation>
    </message>
    <message>
        <source>Word probability</source>
        <translation>Wortwahrscheinlichkeit</translation>
    </message>
    <message>
        <source>Mean or first subword probability per word (reference token_to_word).</source>
        <translation>Mittlere oder erste Subword-Wahrscheinlichkeit pro Wort (Referenz token_to_word).</translation>
    </message>
    <message>
        <source>Context filter</source>
        <translation>Kontextfilter</translation>
    </message>
    <message>
        <source>With several contexts, first drops whole contexts by mean word probability; default rate (rate+1)/2 (compress_prompt passes True).</source>
        <translation>Bei mehreren Kontexten werden zuerst ganze Kontexte nach mittlerer Wortwahrscheinlichkeit verworfen; Standard-Rate (rate+1)/2 (compress_prompt übergibt True).</translation>
    </message>
    <message>
        <source>Context keep rate</source>
        <translation>Kontext-Behaltensrate</translation>
    </message>
    <message>
        <source>Fraction of contexts kept by the context filter (1 = derive from rate).</source>
        <translation>Anteil der Kontexte, die der Kontextfilter behält (1 = aus der Rate ableiten).</translation>
    </message>
    <message>
        <source>Target contexts</source>
        <translation>Ziel-Kontexte</translation>
    </message>
    <message>
        <source>Number of contexts to keep (-1 = off).</source>
        <translation>Anzahl der zu behaltenden Kontexte (-1 = aus).</translation>
    </message>
    <message>
        <source>Context token budget</source>
        <translation>Kontext-Token-Budget</translation>
    </message>
    <message>
        <source>Target tokens for the context filter (-1 = off).</source>
        <translation>Ziel-Tokens für den Kontextfilter (-1 = aus).</translation>
    </message>
    <message>
        <source>Forced contexts</source>
        <translation>Erzwungene Kontexte</translation>
    </message>
    <message>
        <source>Comma- or space-separated indices of contexts the filter always keeps.</source>
        <translation>Komma- oder leerzeichengetrennte Indizes der Kontexte, die der Filter immer behält.</translation>
    </message>
    <message>
        <source>Coarse ranking</source>
        <translation>Grobes Ranking</translation>
    </message>
    <message>
        <source>Context filter score for a list of contexts: none (LLMLingua-2&apos;s mean word probability), bm25 (Okapi BM25 with the question as the query), gzip (compression distance to the question) or longllmlingua (question likelihood under a causal LM). auto: bm25 in corrected mode when the prompt has a question (keeps the answer document), none otherwise and in reference mode.</source>
        <translation>Score des Kontextfilters für eine Liste von Kontexten: none (mittlere Wortwahrscheinlichkeit von LLMLingua-2), bm25 (Okapi BM25 mit der Frage als Anfrage), gzip (Kompressionsdistanz zur Frage) oder longllmlingua (Wahrscheinlichkeit der Frage unter einem kausalen LM). auto: bm25 im korrigierten Modus, wenn der Prompt eine Frage enthält (behält das Antwortdokument), sonst und im Referenzmodus none.</translation>
    </message>
    <message>
        <source>Ranking model</source>
        <translation>Ranking-Modell</translation>
    </message>
    <message>
        <source>Causal LM for coarse_rank (empty = the bundled LM).</source>
        <translation>Kausales LM für coarse_rank (leer = das mitgelieferte LM).</translation>
    </message>
    <message>
        <source>Keep identifiers whole</source>
        <translation>Bezeichner ganz lassen</translation>
    </message>
    <message>
        <source>Corrected mode: numbers and identifiers split by the tokenizer (ABC-123, 3.14, user_id) are one unit.</source>
        <translation>Korrigierter Modus: vom Tokenizer zerlegte Zahlen und Bezeichner (ABC-123, 3.14, user_id) bilden eine Einheit.</translation>
    </message>
    <message>
        <source>Window (tokens)</source>
        <translation>Fenster (Tokens)</translation>
    </message>
    <message>
        <source>ITPC window length in small-LM tokens (reference default 200).</source>
        <translation>ITPC-Fensterlänge in Tokens des kleinen LM (Referenz-Standard 200).</translation>
    </message>
    <message>
        <source>Context budget</source>
        <translation>Kontextbudget</translation>
    </message>
    <message>
        <source>Sentence budget ratio</source>
        <translation>Satzbudget-Verhältnis</translation>
    </message>
    <message>
        <source>Sentence filter budget = target x this ratio.</source>
        <translation>Budget des Satzfilters = Ziel x dieses Verhältnis.</translation>
    </message>
    <message>
        <source>Question conditioning</source>
        <translation>Fragen-Konditionierung</translation>
    </message>
    <message>
        <source>How the question conditions the context ranking; &quot;_condition&quot; also prefixes the question in the token stage.</source>
        <translation>Wie die Frage das Kontext-Ranking konditioniert; &quot;_condition&quot; stellt die Frage zusätzlich in der Token-Stufe voran.</translation>
    </message>
    <message>
        <source>Context order</source>
        <translation>Kontextreihenfolge</translation>
    </message>
    <message>
        <source>Order of the kept contexts: original, sort (rank order) or two_stage (interleaved).</source>
        <translation>Reihenfolge der behaltenen Kontexte: original, sort (Rangfolge) oder two_stage (verschränkt).</translation>
    </message>
    <message>
        <source>Dynamic ratio δ</source>
        <translation>Dynamisches Verhältnis δ</translation>
    </message>
    <message>
        <source>Per-context keep-ratio offsets from +δ (best ranked) to -δ (worst).</source>
        <translation>Behaltensraten-Offsets pro Kontext von +δ (bester Rang) bis -δ (schlechtester).</translation>
    </message>
    <message>
        <source>Contrastive perplexity</source>
        <translation>Kontrastive Perplexität</translation>
    </message>
    <message>
        <source>Score tokens by the drop in surprisal the question causes (LongLLMLingua).</source>
        <translation>Bewertet Tokens nach dem Rückgang der Überraschung, den die Frage bewirkt (LongLLMLingua).</translation>
    </message>
    <message>
        <source>Rank contexts and keep them up to the budget.</source>
        <translation>Kontexte ranken und bis zum Budget behalten.</translation>
    </message>
    <message>
        <source>Sentence filter</source>
        <translation>Satzfilter</translation>
    </message>
    <message>
        <source>Rank sentences and keep them up to budget x ratio.</source>
        <translation>Sätze ranken und bis Budget x Verhältnis behalten.</translation>
    </message>
    <message>
        <source>Token filter</source>
        <translation>Token-Filter</translation>
    </message>
    <message>
        <source>Iterative token-level compression (ITPC).</source>
        <translation>Iterative Kompression auf Token-Ebene (ITPC).</translation>
    </message>
    <message>
        <source>Keep first sentences</source>
        <translation>Erste Sätze behalten</translation>
    </message>
    <message>
        <source>Adds the priority bonus to the first N sentences.</source>
        <translation>Vergibt den Prioritätsbonus an die ersten N Sätze.</translation>
    </message>
    <message>
        <source>Keep last sentences</source>
        <translation>Letzte Sätze behalten</translation>
    </message>
    <message>
        <source>Adds the priority bonus to the last N sentences.</source>
        <translation>Vergibt den Prioritätsbonus an die letzten N Sätze.</translation>
    </message>
    <message>
        <source>Keep sentences per context</source>
        <translation>Sätze pro Kontext behalten</translation>
    </message>
    <message>
        <source>Adds the bonus to N sentences per context.</source>
        <translation>Vergibt den Bonus an N Sätze pro Kontext.</translation>
    </message>
    <message>
        <source>Priority bonus</source>
        <translation>Prioritätsbonus</translation>
    </message>
    <message>
        <source>Score bonus of prioritised sentences (reference 100).</source>
        <translation>Score-Bonus priorisierter Sätze (Referenz 100).</translation>
    </message>
    <message>
        <source>Keep blank lines</source>
        <translation>Leerzeilen behalten</translation>
    </message>
    <message>
        <source>Keep runs of newline tokens (reference: Llama id 13).</source>
        <translation>Folgen von Zeilenumbruch-Tokens behalten (Referenz: Llama-ID 13).</translation>
    </message>
    <message>
        <source>Comma-separated context indices always kept.</source>
        <translation>Kommagetrennte Kontextindizes, die immer behalten werden.</translation>
    </message>
    <message>
        <source>Question sentences first</source>
        <translation>Fragesätze zuerst</translation>
    </message>
    <message>
        <source>Rank method</source>
        <translation>Ranking-Methode</translation>
    </message>
    <message>
        <source>Append question</source>
        <translation>Frage anhängen</translation>
    </message>
    <message>
        <source>Append the question to the compressed prompt.</source>
        <translation>Die Frage an den komprimierten Prompt anhängen.</translation>
    </message>
    <message>
        <source>Instruction in prefix</source>
        <translation>Anweisung im Präfix</translation>
    </message>
    <message>
        <source>Put the instruction into the conditioning prefix.</source>
        <translation>Die Anweisung in das Konditionierungspräfix aufnehmen.</translation>
    </message>
    <message>
        <source>Keep compress=False contexts</source>
        <translation>compress=False-Kontexte behalten</translation>
    </message>
    <message>
        <source>Contexts with a compress=False segment are always kept.</source>
        <translation>Kontexte mit einem compress=False-Segment werden immer behalten.</translation>
    </message>
    <message>
        <source>Structured tags</source>
        <translation>Strukturierte Tags</translation>
    </message>
    <message>
        <source>Parse &lt;llmlingua, rate=..., compress=...&gt; tags: auto detects them.</source>
        <translation>&lt;llmlingua, rate=..., compress=...&gt;-Tags auswerten: auto erkennt sie.</translation>
    </message>
    <message>
        <source>Context scorer: longllmlingua (question-conditioned perplexity), bm25 (Okapi BM25, question as the query), gzip (compression distance to the question) or llmlingua (perplexity). auto: longllmlingua in reference mode and with a model of 100M parameters or more; bm25 with smaller ones such as the bundled model, whose perplexities do not rank documents.</source>
        <translation>Kontext-Scorer: longllmlingua (fragekonditionierte Perplexität), bm25 (Okapi BM25, Frage als Anfrage), gzip (Kompressionsdistanz zur Frage) oder llmlingua (Perplexität). auto: longllmlingua im Referenzmodus und mit einem Modell ab 100 Mio. Parametern; bm25 mit kleineren wie dem mitgelieferten Modell, dessen Perplexitäten Dokumente nicht ranken können.</translation>
    </message>
    <message>
        <source>Variant</source>
        <translation>Variante</translation>
    </message>
    <message>
        <source>compressor.py methods: entropy only or fused, single pass or dynamic, and the consecutive-deletion limit (_wosucce)</source>
        <translation>compressor.py-Methoden: nur Entropie oder fusioniert, ein Durchlauf oder dynamisch, sowie die Grenze für aufeinanderfolgende Löschungen (_wosucce)</translation>
    </message>
    <message>
        <source>Fusion</source>
        <translation>Fusion</translation>
    </message>
    <message>
        <source>additive: α·attention + (1−α)·entropy after min-max normalisation; multiplicative: raw product</source>
        <translation>additive: α·attention + (1−α)·entropy nach Min-Max-Normalisierung; multiplicative: rohes Produkt</translation>
    </message>
    <message>
        <source>Attention weight α</source>
        <translation>Attention-Gewicht α</translation>
    </message>
    <message>
        <source>weight of the attention term in the additive fusion (default 0.8)</source>
        <translation>Gewicht des Attention-Terms in der additiven Fusion (Standard 0.8)</translation>
    </message>
    <message>
        <source>Stages T</source>
        <translation>Stufen T</translation>
    </message>
    <message>
        <source>removal stages of the dynamic variants; 0 = min(max(1, n/100), 15)</source>
        <translation>Entfernungsstufen der dynamischen Varianten; 0 = min(max(1, n/100), 15)</translation>
    </message>
    <message>
        <source>Preserve punctuation</source>
        <translation>Satzzeichen erhalten</translation>
    </message>
    <message>
        <source>never remove tokens that are pure punctuation</source>
        <translation>Tokens, die nur aus Satzzeichen bestehen, nie entfernen</translation>
    </message>
    <message>
        <source>Word score</source>
        <translation>Wort-Score</translation>
    </message>
    <message>
        <source>Corrected mode: a word&apos;s fused score from its tokens&apos; (mean, max, sum or first); whole words are removed per stage</source>
        <translation>Korrigierter Modus: fusionierter Score eines Wortes aus dem seiner Tokens (mean, max, sum oder first); pro Stufe werden ganze Wörter entfernt</translation>
    </message>
    <message>
        <source>TF-IDF weight γ</source>
        <translation>TF-IDF-Gewicht γ</translation>
    </message>
    <message>
        <source>w = attention^(1−γ) · tfidf^γ</source>
        <translation>w = attention^(1−γ) · tfidf^γ</translation>
    </message>
    <message>
        <source>Similarity τ</source>
        <translation>Ähnlichkeit τ</translation>
    </message>
    <message>
        <source>a sentence this similar (cosine) to a kept earlier one is redundant</source>
        <translation>ein Satz, der einem früher behaltenen so ähnlich (Kosinus) ist, gilt als redundant</translation>
    </message>
    <message>
        <source>Survival q</source>
        <translation>Überleben q</translation>
    </message>
    <message>
        <source>c consecutive redundant sentences: delete with probability 1 − q^c</source>
        <translation>c aufeinanderfolgende redundante Sätze: Löschen mit Wahrscheinlichkeit 1 − q^c</translation>
    </message>
    <message>
        <source>Russian-roulette removal of redundant sentences</source>
        <translation>Russisch-Roulette-Entfernung redundanter Sätze</translation>
    </message>
    <message>
        <source>Ratio agent</source>
        <translation>Verhältnis-Agent</translation>
    </message>
    <message>
        <source>safetensors file of a trained agent (default: pis_agent.safetensors beside the model)</source>
        <translation>safetensors-Datei eines trainierten Agenten (Standard: pis_agent.safetensors neben dem Modell)</translation>
    </message>
    <message>
        <source>Corrected mode: a word&apos;s score from its tokens&apos; self-information: sum (the word&apos;s total information), mean, max or first</source>
        <translation>Korrigierter Modus: Score eines Wortes aus der Selbstinformation seiner Tokens: sum (gesamte Information des Wortes), mean, max oder first</translation>
    </message>
    <message>
        <source>Corrected mode: a word&apos;s score from its tokens&apos; attention: max (any piece attended), mean, sum or first</source>
        <translation>Korrigierter Modus: Score eines Wortes aus der Attention seiner Tokens: max (irgendein Teil beachtet), mean, sum oder first</translation>
    </message>
    <message>
        <source>Question focus</source>
        <translation>Fragenfokus</translation>
    </message>
    <message>
        <source>Corrected mode, a prompt with a question: the sentences that best match it (BM25) are kept whole first, up to half the budget, and the contexts that match it least come last. The bundled models alone kept the answer of multi-document questions less often than random deletion. Off: the method&apos;s scores alone, as in reference mode.</source>
        <translation>Korrigierter Modus, ein Prompt mit einer Frage: Die Sätze, die am besten zu ihr passen (BM25), werden zuerst ganz behalten, bis zur Hälfte des Budgets, und die Kontexte, die am wenigsten passen, kommen zuletzt. Die mitgelieferten Modelle allein behielten die Antwort auf Fragen über mehrere Dokumente seltener als zufälliges Löschen. Aus: nur die Bewertungen der Methode, wie im Referenzmodus.</translation>
    </message>
    <message>
        <source>Corrected mode: rank the kept contexts&apos; sentences by BM25 against the question (earlier sentences first among equals) and keep the best ones whole before the classifier&apos;s probabilities compress the rest; an answer is a phrase the small bundled tagger would cut. auto: on in corrected mode when the prompt has a question; off in reference mode.</source>
        <translation>Korrigierter Modus: die Sätze der behaltenen Kontexte per BM25 gegen die Frage ordnen (bei Gleichstand frühere Sätze zuerst) und die besten ganz behalten, bevor die Wahrscheinlichkeiten des Klassifikators den Rest komprimieren; eine Antwort ist eine Phrase, die der kleine mitgelieferte Tagger kürzen würde. auto: an im korrigierten Modus, wenn der Prompt eine Frage hat; aus im Referenzmodus.</translation>
    </message>
    <message>
        <source>Context scorer: llmlingua (perplexity), longllmlingua (question-conditioned perplexity), bm25 (Okapi BM25, question as the query) or gzip (compression distance to the question). auto: llmlingua in reference mode, with a model of 100M parameters or more and without a question; bm25 with smaller ones such as the bundled model when the prompt has a question (keeps the answer document).</source>
        <translation>Kontextbewertung: llmlingua (Perplexität), longllmlingua (fragebedingte Perplexität), bm25 (Okapi BM25, die Frage als Anfrage) oder gzip (Kompressionsabstand zur Frage). auto: llmlingua im Referenzmodus, mit einem Modell ab 100 Mio. Parametern und ohne Frage; bm25 mit kleineren wie dem mitgelieferten Modell, wenn der Prompt eine Frage hat (behält das Antwortdokument).</translation>
    </message>
    <message>
        <source>Corrected mode: rank the contexts&apos; sentences by BM25 against the question and keep the best ones whole before the model&apos;s scores compress the rest (answers are phrases: a small LM&apos;s per-word scores break them). auto: on with a model under 100M parameters, such as the bundled one, when the prompt has a question; off in reference mode.</source>
        <translation>Korrigierter Modus: Die Sätze der Kontexte per BM25 gegen die Frage ranken und die besten ganz behalten, bevor die Modell-Scores den Rest komprimieren (Antworten sind Phrasen: die wortweisen Scores eines kleinen LM zerreißen sie). auto: an mit einem Modell unter 100 Mio. Parametern wie dem mitgelieferten, wenn der Prompt eine Frage enthält; aus im Referenzmodus.</translation>
    </message>
    <message>
        <source>Attention baseline</source>
        <translation>Aufmerksamkeits-Basislinie</translation>
    </message>
    <message>
        <source>Corrected mode: a token&apos;s received attention over what a token seen by the same queries receives at those distances in this prompt (distance), or its mean over those queries (queries: the last tokens, seen only by nearby queries, score high: at rate 0.33 DAC kept 66-82% of a prompt&apos;s last tenth, 14-27% of its middle).</source>
        <translation>Korrigierter Modus: die Aufmerksamkeit, die ein Token erhält, geteilt durch das, was ein Token mit denselben Queries in diesem Prompt bei diesen Abständen erhält (distance), oder ihr Mittel über diese Queries (queries: die letzten Tokens, nur von nahen Queries gesehen, erhalten hohe Werte: bei Rate 0,33 behielt DAC 66–82 % des letzten Zehntels eines Prompts, 14–27 % seiner Mitte).</translation>
    </message>
    <message>
        <source>Random (baseline)</source>
        <translation>Zufällig (Basislinie)</translation>
    </message>
    <message>
        <source>Keeps a seeded random subset of the words at the requested rate.</source>
        <translation>Behält eine zufällige Teilmenge der Wörter (fester Startwert) in der gewünschten Rate.</translation>
    </message>
    <message>
        <source>Keep head (baseline)</source>
        <translation>Anfang behalten (Basislinie)</translation>
    </message>
    <message>
        <source>Keeps the first words up to the requested rate (truncation).</source>
        <translation>Behält die ersten Wörter bis zur gewünschten Rate (Abschneiden).</translation>
    </message>
    <message>
        <source>Keep tail (baseline)</source>
        <translation>Ende behalten (Basislinie)</translation>
    </message>
    <message>
        <source>Keeps the last words up to the requested rate.</source>
        <translation>Behält die letzten Wörter bis zur gewünschten Rate.</translation>
    </message>
    <message>
        <source>Keep head and tail (baseline)</source>
        <translation>Anfang und Ende behalten (Basislinie)</translation>
    </message>
    <message>
        <source>Keeps the first and last words, half of the budget each.</source>
        <translation>Behält die ersten und die letzten Wörter, je die Hälfte des Budgets.</translation>
    </message>
    <message>
        <source>Selective-Context</source>
        <translation>Selective-Context</translation>
    </message>
    <message>
        <source>Drops the tokens, phrases or sentences with the least self-information under a causal LM (Selective-Context).</source>
        <translation>Entfernt die Tokens, Phrasen oder Sätze mit der geringsten Selbstinformation unter einem kausalen Sprachmodell (Selective-Context).</translation>
    </message>
    <message>
        <source>LLMLingua-2</source>
        <translation>LLMLingua-2</translation>
    </message>
    <message>
        <source>Token classification (LLMLingua-2): keeps the words a BERT/XLM-R tagger gives the highest keep probability.</source>
        <translation>Token-Klassifikation (LLMLingua-2): behält die Wörter, denen ein BERT/XLM-R-Tagger die höchste Behalten-Wahrscheinlichkeit gibt.</translation>
    </message>
    <message>
        <source>LLMLingua</source>
        <translation>LLMLingua</translation>
    </message>
    <message>
        <source>Coarse-to-fine compression by small-LM perplexity: context ranking, budget controller and iterative token-level compression (Jiang et al., EMNLP 2023).</source>
        <translation>Grob-zu-fein-Kompression nach der Perplexität eines kleinen Sprachmodells: Kontext-Rangfolge, Budget-Steuerung und iterative Kompression auf Token-Ebene (Jiang et al., EMNLP 2023).</translation>
    </message>
    <message>
        <source>Arithmetic suffix applied to the token budget for the context filter, e.g. &quot;+100&quot; or &quot;*1.5&quot; (the paper&apos;s k). auto: &quot;*2&quot; in corrected mode when contexts are ranked by bm25 or gzip (a model-free ranking misses more answer contexts, so twice the target&apos;s worth is kept and compressed harder), &quot;+100&quot; (the reference default) otherwise.</source>
        <translation>Arithmetischer Zusatz zum Token-Budget für den Kontextfilter, z. B. &quot;+100&quot; oder &quot;*1.5&quot; (k im Paper). auto: &quot;*2&quot; im korrigierten Modus, wenn die Kontexte nach bm25 oder gzip geordnet werden (eine modellfreie Rangfolge verfehlt mehr Antwortkontexte, daher wird das Doppelte des Ziels behalten und stärker komprimiert), sonst &quot;+100&quot; (die Referenzvorgabe).</translation>
    </message>
    <message>
        <source>LongLLMLingua</source>
        <translation>LongLLMLingua</translation>
    </message>
    <message>
        <source>Question-aware LLMLingua: contexts ranked by how well they predict the question, dynamic per-context ratios and contrastive perplexity (Jiang et al., ACL 2024).</source>
        <translation>Fragebezogenes LLMLingua: Kontexte geordnet danach, wie gut sie die Frage vorhersagen, dynamische Raten je Kontext und kontrastive Perplexität (Jiang et al., ACL 2024).</translation>
    </message>
    <message>
        <source>DAC</source>
        <translation>DAC</translation>
    </message>
    <message>
        <source>Fuses accumulated attention with per-token information and removes tokens in stages, re-running the model after each stage (DAC, ACL 2025).</source>
        <translation>Verbindet akkumulierte Attention mit der Information je Token und entfernt Tokens in Stufen, wobei das Modell nach jeder Stufe neu läuft (DAC, ACL 2025).</translation>
    </message>
    <message>
        <source>PIS</source>
        <translation>PIS</translation>
    </message>
    <message>
        <source>Token weights from attention and TF-IDF, redundant sentences removed by seeded Russian roulette, per-sentence ratios from a Double-DQN agent (PIS, as defined in algorithms.md 2.2).</source>
        <translation>Token-Gewichte aus Attention und TF-IDF, redundante Sätze per Russischem Roulette (fester Startwert) entfernt, Raten je Satz von einem Double-DQN-Agenten (PIS, wie in algorithms.md 2.2 definiert).</translation>
    </message>
    <message>
        <source>Entropy only (baseline)</source>
        <translation>Nur Entropie (Basislinie)</translation>
    </message>
    <message>
        <source>Keeps the tokens the model finds most surprising (self-information), in one pass.</source>
        <translation>Behält die Tokens, die das Modell am meisten überraschen (Selbstinformation), in einem Durchlauf.</translation>
    </message>
    <message>
        <source>Attention only (baseline)</source>
        <translation>Nur Attention (Basislinie)</translation>
    </message>
    <message>
        <source>Keeps the tokens that receive the most attention, over what a token at their distances from the queries receives (per query that can see them in reference mode), in one pass.</source>
        <translation>Behält die Tokens, die die meiste Attention erhalten, gemessen an dem, was ein Token in ihrem Abstand zu den Anfragen erhält (im Referenzmodus je Anfrage, die sie sehen kann), in einem Durchlauf.</translation>
    </message>
</context>
<context>
    <name>terse::widgets::AttentionPlot</name>
    <message>
        <source>attention</source>
        <translation>Attention</translation>
    </message>
</context>
<context>
    <name>terse::widgets::ColorLegend</name>
    <message>
        <source>Colour legend</source>
        <translation>Farblegende</translation>
    </message>
    <message>
        <source>Background colour: %1 from %2 (pale) to %3 (strong); values outside are clamped.</source>
        <translation>Hintergrundfarbe: %1 von %2 (blass) bis %3 (kräftig); Werte außerhalb werden begrenzt.</translation>
    </message>
    <message>
        <source>Struck through: dropped · green underline: pinned keep · red underline: pinned drop</source>
        <translation>Durchgestrichen: entfernt · grün unterstrichen: fixiert behalten · rot unterstrichen: fixiert entfernen</translation>
    </message>
</context>
<context>
    <name>terse::widgets::PromptEditor</name>
    <message>
        <source>Paste a prompt here, open a .txt or .md file, or drop one on this editor.</source>
        <translation>Fügen Sie hier einen Prompt ein, öffnen Sie eine .txt- oder .md-Datei oder ziehen Sie eine auf diesen Editor.</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>Prompt</translation>
    </message>
    <message>
        <source>Or start from a sample prompt:</source>
        <translation>Oder mit einem Beispiel-Prompt beginnen:</translation>
    </message>
</context>
<context>
    <name>terse::widgets::ScoreHistogram</name>
    <message>
        <source>tokens</source>
        <translation>Tokens</translation>
    </message>
    <message>
        <source>dropped</source>
        <translation>entfernt</translation>
    </message>
    <message>
        <source>kept</source>
        <translation>behalten</translation>
    </message>
</context>
<context>
    <name>terse::widgets::ScorePlot</name>
    <message>
        <source>token</source>
        <translation>Token</translation>
    </message>
    <message>
        <source>kept</source>
        <translation>behalten</translation>
    </message>
    <message>
        <source>threshold</source>
        <translation>Schwelle</translation>
    </message>
    <message numerus="yes">
        <source>%n value(s) above the axis (up to %1)</source>
        <translation>
            <numerusform>%n Wert über der Achse (bis %1)</numerusform>
            <numerusform>%n Werte über der Achse (bis %1)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>terse::widgets::StageScrubber</name>
    <message>
        <source>Stages:</source>
        <translation>Stufen:</translation>
    </message>
    <message>
        <source>Previous stage</source>
        <translation>Vorherige Stufe</translation>
    </message>
    <message>
        <source>Next stage</source>
        <translation>Nächste Stufe</translation>
    </message>
    <message>
        <source>Replay the method stage by stage: the view shows what was removed up to this stage.</source>
        <translation>Die Methode Stufe für Stufe abspielen: die Ansicht zeigt, was bis zu dieser Stufe entfernt wurde.</translation>
    </message>
    <message>
        <source>final result</source>
        <translation>Endergebnis</translation>
    </message>
    <message>
        <source>%1 (%2 of %3)</source>
        <translation>%1 (%2 von %3)</translation>
    </message>
    <message>
        <source>%1 of %2 stages done, running…</source>
        <translation>%1 von %2 Stufen fertig, läuft …</translation>
    </message>
</context>
<context>
    <name>terse::widgets::StructuredPromptEditor</name>
    <message>
        <source>&lt;b&gt;Instruction&lt;/b&gt; (kept verbatim by the LLMLingua family)</source>
        <translation>&lt;b&gt;Anweisung&lt;/b&gt; (von der LLMLingua-Familie wörtlich behalten)</translation>
    </message>
    <message>
        <source>e.g. Answer the question using the passages below.</source>
        <translation>z. B. Beantworte die Frage anhand der folgenden Passagen.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Contexts&lt;/b&gt; (passages or demonstrations; these are compressed)</source>
        <translation>&lt;b&gt;Kontexte&lt;/b&gt; (Passagen oder Beispiele; diese werden komprimiert)</translation>
    </message>
    <message>
        <source>&amp;Add Context</source>
        <translation>Kontext &amp;hinzufügen</translation>
    </message>
    <message>
        <source>Add another context or demonstration</source>
        <translation>Einen weiteren Kontext oder ein Beispiel hinzufügen</translation>
    </message>
    <message>
        <source>&lt;b&gt;Question&lt;/b&gt; (kept verbatim; LongLLMLingua ranks contexts by it)</source>
        <translation>&lt;b&gt;Frage&lt;/b&gt; (wörtlich behalten; LongLLMLingua ordnet die Kontexte danach)</translation>
    </message>
    <message>
        <source>e.g. Which ship arrives first?</source>
        <translation>z. B. Welches Schiff kommt zuerst an?</translation>
    </message>
    <message>
        <source>A retrieved passage or a demonstration.</source>
        <translation>Eine abgerufene Passage oder ein Beispiel.</translation>
    </message>
    <message>
        <source>Remove this context</source>
        <translation>Diesen Kontext entfernen</translation>
    </message>
    <message>
        <source>Context %1</source>
        <translation>Kontext %1</translation>
    </message>
</context>
<context>
    <name>terse::widgets::TokenHeatmapView</name>
    <message>
        <source>Compressed prompt</source>
        <translation>Komprimierter Prompt</translation>
    </message>
    <message>
        <source>

… %1 more tokens not shown (the view shows the first %2).</source>
        <translation>

… %1 weitere Tokens nicht angezeigt (die Ansicht zeigt die ersten %2).</translation>
    </message>
    <message>
        <source>kept</source>
        <translation>behalten</translation>
    </message>
    <message>
        <source>dropped</source>
        <translation>entfernt</translation>
    </message>
    <message>
        <source>forced</source>
        <translation>erzwungen</translation>
    </message>
    <message>
        <source>pinned: keep</source>
        <translation>fixiert: behalten</translation>
    </message>
    <message>
        <source>pinned: drop</source>
        <translation>fixiert: entfernen</translation>
    </message>
</context>
<context>
    <name>terse::widgets::WordDiffView</name>
    <message>
        <source>Compressed output compared with the original</source>
        <translation>Komprimierte Ausgabe im Vergleich mit dem Original</translation>
    </message>
    <message>
        <source>

… %1 more words not shown (the view shows the first %2).</source>
        <translation>

… %1 weitere Wörter nicht angezeigt (die Ansicht zeigt die ersten %2).</translation>
    </message>
</context>
</TS>
