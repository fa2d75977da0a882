<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>main</name>
    <message>
        <source>Terse Studio: a workbench for prompt compression.</source>
        <translation>Terse Studio：提示词压缩工作台。</translation>
    </message>
    <message>
        <source>A prompt file to open.</source>
        <translation>要打开的提示词文件。</translation>
    </message>
    <message>
        <source>Method to select.</source>
        <translation>要选择的方法。</translation>
    </message>
    <message>
        <source>Rate to select (0, 1].</source>
        <translation>要选择的压缩率 (0, 1]。</translation>
    </message>
    <message>
        <source>Compress right after start.</source>
        <translation>启动后立即压缩。</translation>
    </message>
</context>
<context>
    <name>terse::app::AnswerPanel</name>
    <message>
        <source>Endpoint:</source>
        <translation>端点：</translation>
    </message>
    <message>
        <source>An OpenAI-compatible chat-completions endpoint: a local llama.cpp server, Ollama, vLLM or a hosted API. &quot;/chat/completions&quot; is added to a base URL.</source>
        <translation>兼容 OpenAI 的 chat-completions 端点：本地 llama.cpp 服务器、Ollama、vLLM 或托管 API。基础 URL 后会自动加上 &quot;/chat/completions&quot;。</translation>
    </message>
    <message>
        <source>Target model:</source>
        <translation>目标模型：</translation>
    </message>
    <message>
        <source>e.g. llama3.1:8b</source>
        <translation>例如 llama3.1:8b</translation>
    </message>
    <message>
        <source>API key:</source>
        <translation>API 密钥：</translation>
    </message>
    <message>
        <source>empty for local servers</source>
        <translation>本地服务器留空</translation>
    </message>
    <message>
        <source>Timeout:</source>
        <translation>超时：</translation>
    </message>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source>The API key is kept in the settings file in plain text (this build cannot reach a system keychain).</source>
        <translation>API 密钥以明文保存在设置文件中（此版本无法使用系统钥匙串）。</translation>
    </message>
    <message>
        <source>Blind A/B order</source>
        <translation>盲测 A/B 顺序</translation>
    </message>
    <message>
        <source>Show the two answers as A and B in random order until both are marked.</source>
        <translation>以随机顺序将两个回答显示为 A 和 B，直到两者都被标记。</translation>
    </message>
    <message>
        <source>Ask the target model</source>
        <translation>询问目标模型</translation>
    </message>
    <message>
        <source>Send the original and the compressed prompt and compare the answers.</source>
        <translation>发送原始提示和压缩后的提示并比较回答。</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Reveal</source>
        <translation>揭晓</translation>
    </message>
    <message>
        <source>Correct</source>
        <translation>正确</translation>
    </message>
    <message>
        <source>Incorrect</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>Compress a prompt first: the check asks the target model with its original and its compressed prompt.</source>
        <translation>请先压缩一个提示：检查会用原始提示和压缩后的提示分别询问目标模型。</translation>
    </message>
    <message>
        <source>Asking %1…</source>
        <translation>正在询问 %1…</translation>
    </message>
    <message>
        <source>The endpoint did not answer both prompts; see below.</source>
        <translation>端点没有回答两个提示；见下方。</translation>
    </message>
    <message>
        <source>Both answers are in. Mark each as correct or incorrect.</source>
        <translation>两个回答都已收到。请将每个标记为正确或错误。</translation>
    </message>
    <message>
        <source>The answer was not saved: %1</source>
        <translation>回答未保存：%1</translation>
    </message>
    <message>
        <source>The mark was not saved: %1</source>
        <translation>标记未保存：%1</translation>
    </message>
    <message>
        <source>Answer A</source>
        <translation>回答 A</translation>
    </message>
    <message>
        <source>Answer B</source>
        <translation>回答 B</translation>
    </message>
    <message>
        <source>Original prompt</source>
        <translation>原始提示</translation>
    </message>
    <message>
        <source>Compressed prompt</source>
        <translation>压缩后的提示</translation>
    </message>
    <message>
        <source>No answer: %1</source>
        <translation>无回答：%1</translation>
    </message>
    <message>
        <source>Compress a prompt, then ask the target model with both prompts.</source>
        <translation>先压缩一个提示，然后用两个提示询问目标模型。</translation>
    </message>
    <message>
        <source>waiting for the answer…</source>
        <translation>正在等待回答…</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 毫秒</translation>
    </message>
    <message>
        <source>%1 prompt + %2 answer tokens</source>
        <translation>%1 个提示 token + %2 个回答 token</translation>
    </message>
    <message>
        <source>not saved (the run is not saved)</source>
        <translation>未保存（该运行未保存）</translation>
    </message>
</context>
<context>
    <name>terse::app::AppearanceController</name>
    <message>
        <source>Cannot load the language “%1”.</source>
        <translation>无法加载语言“%1”。</translation>
    </message>
    <message>
        <source>System</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Light</source>
        <translation>浅色(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Dark</source>
        <translation>深色(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;System</source>
        <translation>跟随系统(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Theme</source>
        <translation>主题(&amp;T)</translation>
    </message>
</context>
<context>
    <name>terse::app::ChatClient</name>
    <message>
        <source>&apos;%1&apos; is not an http(s) URL of a chat-completions endpoint</source>
        <translation>&apos;%1&apos; 不是 chat-completions 端点的 http(s) URL</translation>
    </message>
    <message>
        <source>HTTP %1 from the endpoint: %2</source>
        <translation>端点返回 HTTP %1：%2</translation>
    </message>
    <message>
        <source>(no body)</source>
        <translation>（无内容）</translation>
    </message>
    <message>
        <source>the reply is not chat-completions JSON (%1): %2</source>
        <translation>回复不是 chat-completions JSON（%1）：%2</translation>
    </message>
    <message>
        <source>not an object</source>
        <translation>不是对象</translation>
    </message>
    <message>
        <source>(empty body)</source>
        <translation>（空内容）</translation>
    </message>
    <message>
        <source>the reply has no choices[0].message.content: %1</source>
        <translation>回复中没有 choices[0].message.content：%1</translation>
    </message>
    <message>
        <source>no model name: the endpoint needs the name of the model to ask</source>
        <translation>没有模型名称：端点需要要询问的模型名称</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>no reply from %1 within %2 s</source>
        <translation>%1 在 %2 秒内没有回复</translation>
    </message>
    <message>
        <source>cannot reach %1: %2</source>
        <translation>无法连接 %1：%2</translation>
    </message>
</context>
<context>
    <name>terse::app::CompareMetricsTable</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Units in</source>
        <translation>输入单元</translation>
    </message>
    <message>
        <source>Units out</source>
        <translation>输出单元</translation>
    </message>
    <message>
        <source>Target tokens in</source>
        <translation>目标词元（输入）</translation>
    </message>
    <message>
        <source>Target tokens out</source>
        <translation>目标词元（输出）</translation>
    </message>
    <message>
        <source>Achieved rate</source>
        <translation>实际保留率</translation>
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
        <translation>总耗时</translation>
    </message>
    <message>
        <source>Model time</source>
        <translation>模型耗时</translation>
    </message>
    <message>
        <source>Target answer</source>
        <translation>目标模型回答</translation>
    </message>
    <message>
        <source>Units the method decided on (tokens, words, …) before compression</source>
        <translation>方法所判定的单元（词元、单词等）在压缩前的数量</translation>
    </message>
    <message>
        <source>Kept units / original units, in the method&apos;s own unit</source>
        <translation>保留单元数 / 原始单元数（按方法自身的单元计）</translation>
    </message>
    <message>
        <source>Length in the target LLM&apos;s tokenizer (cl100k_base unless set)</source>
        <translation>在目标大模型分词器中的长度（未设置时为 cl100k_base）</translation>
    </message>
    <message>
        <source>ROUGE-1 F1 of the compressed text against the original prompt</source>
        <translation>压缩文本相对于原始提示词的 ROUGE-1 F1</translation>
    </message>
    <message>
        <source>ROUGE-L F1 of the compressed text against the original prompt</source>
        <translation>压缩文本相对于原始提示词的 ROUGE-L F1</translation>
    </message>
    <message>
        <source>Sentence BLEU-4 of the compressed text against the original prompt</source>
        <translation>压缩文本相对于原始提示词的句子级 BLEU-4</translation>
    </message>
    <message>
        <source>Time spent in model forward passes</source>
        <translation>模型前向计算所用时间</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>waiting</source>
        <translation>等待中</translation>
    </message>
    <message>
        <source>not run</source>
        <translation>未运行</translation>
    </message>
    <message>
        <source>asking…</source>
        <translation>询问中…</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 毫秒</translation>
    </message>
    <message>
        <source>no answer</source>
        <translation>无回答</translation>
    </message>
</context>
<context>
    <name>terse::app::CompareOutputColumns</name>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy this compressed text to the clipboard</source>
        <translation>将此压缩文本复制到剪贴板</translation>
    </message>
    <message>
        <source>Failed.</source>
        <translation>失败。</translation>
    </message>
    <message>
        <source>Waiting…</source>
        <translation>等待中…</translation>
    </message>
    <message>
        <source>Not run.</source>
        <translation>未运行。</translation>
    </message>
    <message>
        <source>Waiting for its turn…</source>
        <translation>等待轮到它…</translation>
    </message>
    <message>
        <source>Not run: the comparison was cancelled.</source>
        <translation>未运行：比较已取消。</translation>
    </message>
    <message>
        <source>%1 → %2 %3 (%4% kept)</source>
        <translation>%1 → %2 个%3（保留 %4%）</translation>
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
        <translation>参考</translation>
    </message>
    <message>
        <source>corrected</source>
        <translation>修正</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>Rate</source>
        <translation>保留率</translation>
    </message>
    <message>
        <source>Mode</source>
        <translation>模式</translation>
    </message>
    <message>
        <source>Parameters (name=value; …)</source>
        <translation>参数（名称=值; …）</translation>
    </message>
    <message>
        <source>Model (empty: the method&apos;s default)</source>
        <translation>模型（留空：方法的默认模型）</translation>
    </message>
    <message>
        <source>Row %1: the parameter “%2” is not of the form name=value.</source>
        <translation>第 %1 行：参数“%2”不是 名称=值 的形式。</translation>
    </message>
    <message>
        <source>defaults</source>
        <translation>默认值</translation>
    </message>
    <message>
        <source>method default</source>
        <translation>方法默认</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>Every parameter has its default value.</source>
        <translation>所有参数均为默认值。</translation>
    </message>
    <message>
        <source>Row %1: %2</source>
        <translation>第 %1 行：%2</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <source>Edit this row&apos;s parameters with the method&apos;s own controls (ranges, choices, help)</source>
        <translation>用该方法自己的控件（范围、选项、帮助）编辑此行的参数</translation>
    </message>
</context>
<context>
    <name>terse::app::CompareSideBySide</name>
    <message>
        <source>&amp;Export Comparison…</source>
        <translation>导出比较(&amp;E)…</translation>
    </message>
    <message>
        <source>Ask the &amp;Target Model</source>
        <translation>询问目标模型(&amp;T)</translation>
    </message>
    <message>
        <source>Send the original prompt and every row&apos;s compressed prompt to the endpoint of the Answer Check panel; the answers fill the last column</source>
        <translation>将原始提示和每一行的压缩提示发送到回答检查面板的端点；回答填入最后一列</translation>
    </message>
    <message>
        <source>Compared with the original: &lt;s&gt;struck&lt;/s&gt; = dropped, &lt;u&gt;dotted underline&lt;/u&gt; = partly kept, &lt;span style=&quot;background:%1&quot;&gt;&amp;nbsp;kept here, dropped by another&amp;nbsp;&lt;/span&gt;, &lt;span style=&quot;background:%2&quot;&gt;&amp;nbsp;dropped here, kept by another&amp;nbsp;&lt;/span&gt;.</source>
        <translation>与原文比较：&lt;s&gt;删除线&lt;/s&gt; = 已删除，&lt;u&gt;点状下划线&lt;/u&gt; = 部分保留，&lt;span style=&quot;background:%1&quot;&gt;&amp;nbsp;此处保留、其他方法删除&amp;nbsp;&lt;/span&gt;，&lt;span style=&quot;background:%2&quot;&gt;&amp;nbsp;此处删除、其他方法保留&amp;nbsp;&lt;/span&gt;。</translation>
    </message>
</context>
<context>
    <name>terse::app::CompareSweepPanel</name>
    <message>
        <source>Export &amp;Chart…</source>
        <translation>导出图表(&amp;C)…</translation>
    </message>
    <message>
        <source>Run &amp;Sweep</source>
        <translation>运行扫描(&amp;S)</translation>
    </message>
    <message>
        <source>Run every row at each rate and plot achieved rate against fidelity</source>
        <translation>以每个保留率运行每一行，并绘制实际保留率与保真度的关系</translation>
    </message>
    <message>
        <source>Ra&amp;tes:</source>
        <translation>保留率(&amp;T)：</translation>
    </message>
    <message>
        <source>Kept fractions to sweep: a list (0.1, 0.3, 0.5) or start:stop:step (0.1:0.9:0.1)</source>
        <translation>要扫描的保留比例：列表（0.1, 0.3, 0.5）或 起点:终点:步长（0.1:0.9:0.1）</translation>
    </message>
    <message>
        <source>Fi&amp;delity:</source>
        <translation>保真度(&amp;D)：</translation>
    </message>
    <message>
        <source>Fidelity of the compressed text against the original prompt</source>
        <translation>压缩文本相对于原始提示词的保真度</translation>
    </message>
    <message>
        <source>against the achieved rate</source>
        <translation>对比实际压缩率</translation>
    </message>
    <message>
        <source>against the money saved</source>
        <translation>对比节省的费用</translation>
    </message>
    <message>
        <source>Money saved per 1,000 calls uses the input price of the Cost panel&apos;s target model</source>
        <translation>每 1,000 次调用节省的费用使用成本面板中目标模型的输入价格</translation>
    </message>
    <message>
        <source>$ saved per 1,000 calls on %1 ($%2 per 1M input tokens)</source>
        <translation>在 %1 上每 1,000 次调用节省的美元（每 100 万输入 token $%2）</translation>
    </message>
    <message>
        <source>achieved rate (target-LLM tokens kept / original)</source>
        <translation>实际保留率（目标大模型词元：保留 / 原始）</translation>
    </message>
    <message>
        <source>%1 vs the original</source>
        <translation>%1（相对原文）</translation>
    </message>
</context>
<context>
    <name>terse::app::CompareWindow</name>
    <message>
        <source>Cancelled; finished runs are kept.</source>
        <translation>已取消；已完成的运行会保留。</translation>
    </message>
    <message>
        <source>Run %1 of %2: %3…</source>
        <translation>第 %1 次运行（共 %2 次）：%3…</translation>
    </message>
    <message>
        <source>Compare Methods — Terse Studio</source>
        <translation>比较方法 — Terse Studio</translation>
    </message>
    <message>
        <source>Add &amp;Current Settings</source>
        <translation>添加当前设置(&amp;C)</translation>
    </message>
    <message>
        <source>Add a row with the main window&apos;s method, rate, parameters and model</source>
        <translation>添加一行，使用主窗口的方法、保留率、参数和模型</translation>
    </message>
    <message>
        <source>&amp;Add Method</source>
        <translation>添加方法(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>移除(&amp;R)</translation>
    </message>
    <message>
        <source>Remove the selected row</source>
        <translation>移除所选的行</translation>
    </message>
    <message>
        <source>Co&amp;mpare</source>
        <translation>比较(&amp;M)</translation>
    </message>
    <message>
        <source>Run every row on the main window&apos;s prompt and compare the outputs</source>
        <translation>对主窗口的提示词运行每一行并比较输出</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Stop the running job; finished runs are kept</source>
        <translation>停止正在运行的任务；已完成的运行会保留</translation>
    </message>
    <message>
        <source>Side by Side</source>
        <translation>并排</translation>
    </message>
    <message>
        <source>Rate Sweep</source>
        <translation>保留率扫描</translation>
    </message>
    <message>
        <source>Add methods or settings, then press Compare or Run Sweep.</source>
        <translation>添加方法或设置，然后点击“比较”或“运行扫描”。</translation>
    </message>
    <message>
        <source>reference</source>
        <translation>参考</translation>
    </message>
    <message>
        <source>Nothing to compare: add a method or the current settings first.</source>
        <translation>没有可比较的内容：请先添加一个方法或当前设置。</translation>
    </message>
    <message>
        <source>A comparison or sweep is running: wait for it or cancel it first.</source>
        <translation>比较或扫描正在运行：请等待其完成或先取消。</translation>
    </message>
    <message>
        <source>The rates “%1” are not a list of numbers in (0, 1] such as “0.1, 0.5, 0.9” or a range such as “0.1:0.9:0.1”.</source>
        <translation>保留率“%1”既不是 (0, 1] 内的数字列表（如“0.1, 0.5, 0.9”），也不是范围（如“0.1:0.9:0.1”）。</translation>
    </message>
    <message>
        <source>The prompt is empty: paste or open some text in the main window first.</source>
        <translation>提示词为空：请先在主窗口中粘贴或打开一些文本。</translation>
    </message>
    <message>
        <source>The prompt cannot be compressed: %1</source>
        <translation>无法压缩该提示词：%1</translation>
    </message>
    <message>
        <source>%1 failed: %2</source>
        <translation>%1 失败：%2</translation>
    </message>
    <message numerus="yes">
        <source>Compared %n run(s).</source>
        <translation>
            <numerusform>已比较 %n 次运行。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Sweep finished: %n run(s).</source>
        <translation>
            <numerusform>扫描完成：%n 次运行。</numerusform>
        </translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>Copied the compressed text of “%1”.</source>
        <translation>已复制“%1”的压缩文本。</translation>
    </message>
    <message>
        <source>Nothing to export yet: run a comparison first.</source>
        <translation>尚无可导出的内容：请先运行比较。</translation>
    </message>
    <message>
        <source>Cannot export to “%1”: use a .json, .md, .html or .csv file name.</source>
        <translation>无法导出到“%1”：请使用 .json、.md、.html 或 .csv 文件名。</translation>
    </message>
    <message>
        <source>Exported the comparison to %1.</source>
        <translation>已将比较导出到 %1。</translation>
    </message>
    <message>
        <source>Nothing to export yet: run a sweep first.</source>
        <translation>尚无可导出的内容：请先运行扫描。</translation>
    </message>
    <message>
        <source>Cannot export the chart to “%1”: use a .png or .svg file name.</source>
        <translation>无法将图表导出到“%1”：请使用 .png 或 .svg 文件名。</translation>
    </message>
    <message>
        <source>Exported the chart to %1.</source>
        <translation>已将图表导出到 %1。</translation>
    </message>
    <message>
        <source>Export comparison</source>
        <translation>导出比较</translation>
    </message>
    <message>
        <source>Export sweep chart</source>
        <translation>导出扫描图表</translation>
    </message>
    <message>
        <source>The original prompt&apos;s answer: %1</source>
        <translation>原始提示的回答：%1</translation>
    </message>
    <message>
        <source>The original prompt got no answer: %1</source>
        <translation>原始提示没有得到回答：%1</translation>
    </message>
    <message>
        <source>Compare first: the check asks the target model with every row&apos;s compressed prompt.</source>
        <translation>请先比较：检查会用每一行的压缩提示询问目标模型。</translation>
    </message>
    <message>
        <source>Set the endpoint and model in the Answer Check panel first (Run → Ask the Target Model).</source>
        <translation>请先在回答检查面板中设置端点和模型（运行 → 询问目标模型）。</translation>
    </message>
    <message numerus="yes">
        <source>Asking %1 with the original and %n compressed prompt(s)…</source>
        <translation>
            <numerusform>正在用原始提示和 %n 个压缩提示询问 %1…</numerusform>
        </translation>
    </message>
    <message>
        <source>Run %1 of %2: %3 (%4 of %5)</source>
        <translation>第 %1 次运行（共 %2 次）：%3（%4 / %5）</translation>
    </message>
    <message>
        <source>about %1 left</source>
        <translation>约剩 %1</translation>
    </message>
    <message>
        <source>Row %1: the method “%2” is unknown, so its parameters cannot be edited.</source>
        <translation>第 %1 行：方法“%2”未知，因此无法编辑其参数。</translation>
    </message>
    <message>
        <source>Parameters of %1 (row %2)</source>
        <translation>%1 的参数（第 %2 行）</translation>
    </message>
</context>
<context>
    <name>terse::app::Comparison</name>
    <message>
        <source>rate %1</source>
        <translation>保留率 %1</translation>
    </message>
    <message>
        <source>reference</source>
        <translation>参考</translation>
    </message>
    <message>
        <source>budget %1 tokens</source>
        <translation>预算 %1 个词元</translation>
    </message>
</context>
<context>
    <name>terse::app::CostPanel</name>
    <message>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 毫秒</translation>
    </message>
    <message>
        <source>New Target Model</source>
        <translation>新目标模型</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>A preset needs a name that is not taken.</source>
        <translation>预设需要一个尚未使用的名称。</translation>
    </message>
    <message>
        <source>Target model:</source>
        <translation>目标模型：</translation>
    </message>
    <message>
        <source>Presets are examples: set the price and speed of the model you use.</source>
        <translation>预设仅为示例：请设置您所用模型的价格和速度。</translation>
    </message>
    <message>
        <source>New…</source>
        <translation>新建…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Input price per 1M tokens:</source>
        <translation>每 100 万输入 token 价格：</translation>
    </message>
    <message>
        <source>Prefill speed:</source>
        <translation>预填充速度：</translation>
    </message>
    <message>
        <source> tokens/s</source>
        <translation> token/秒</translation>
    </message>
    <message>
        <source>How fast the target model reads a prompt before it answers (prefill).</source>
        <translation>目标模型在回答前读取提示的速度（预填充）。</translation>
    </message>
    <message>
        <source>Compress a prompt to see what it saves.</source>
        <translation>压缩一个提示以查看节省了多少。</translation>
    </message>
    <message>
        <source>This result has no target-token counts (the target tokenizer was not available).</source>
        <translation>该结果没有目标 token 计数（目标分词器不可用）。</translation>
    </message>
    <message>
        <source>Tokens: %1 → %2 (%3 saved, %4%)</source>
        <translation>Token：%1 → %2（节省 %3，%4%）</translation>
    </message>
    <message>
        <source>Money: %1 per call, %2 per 1,000 calls</source>
        <translation>费用：每次调用节省 %1，每 1,000 次调用节省 %2</translation>
    </message>
    <message>
        <source>Prefill: %1 → %2 per call (%3 saved)</source>
        <translation>预填充：每次调用 %1 → %2（节省 %3）</translation>
    </message>
    <message>
        <source>Compression: %1 on this machine</source>
        <translation>压缩：在本机耗时 %1</translation>
    </message>
    <message>
        <source>Nothing saved: the compressed prompt is as long as the original.</source>
        <translation>没有节省：压缩后的提示与原始提示一样长。</translation>
    </message>
    <message>
        <source>Pays off: cheaper, and %1 faster per call.</source>
        <translation>划算：更便宜，每次调用快 %1。</translation>
    </message>
    <message>
        <source>Pays off in time: %1 faster per call (no input price set).</source>
        <translation>节省时间：每次调用快 %1（未设置输入价格）。</translation>
    </message>
    <message>
        <source>compressing takes %1 more than the prefill it saves; it pays off in time only when the target reads slower than %2 tokens/s</source>
        <translation>压缩比节省的预填充时间多花 %1；只有当目标模型读取速度低于每秒 %2 个 token 时才能节省时间</translation>
    </message>
    <message>
        <source>Cheaper, but slower: %1.</source>
        <translation>更便宜，但更慢：%1。</translation>
    </message>
    <message>
        <source>Does not pay off at this length and rate on this machine: %1.</source>
        <translation>在本机上以此长度和压缩率不划算：%1。</translation>
    </message>
    <message>
        <source>Hosted large model</source>
        <translation>托管大模型</translation>
    </message>
    <message>
        <source>Hosted small model</source>
        <translation>托管小模型</translation>
    </message>
    <message>
        <source>Local 8B model on a GPU</source>
        <translation>GPU 上的本地 8B 模型</translation>
    </message>
    <message>
        <source>Local 8B model on a CPU</source>
        <translation>CPU 上的本地 8B 模型</translation>
    </message>
    <message>
        <source>Money: no input price set for this target</source>
        <translation>费用：未为此目标设置输入价格</translation>
    </message>
</context>
<context>
    <name>terse::app::DocumentController</name>
    <message>
        <source>Unpin</source>
        <translation>取消固定</translation>
    </message>
    <message>
        <source>Unpin All</source>
        <translation>全部取消固定</translation>
    </message>
    <message>
        <source>Cannot open “%1”: %2</source>
        <translation>无法打开“%1”：%2</translation>
    </message>
    <message>
        <source>“%1” is %2 MB; Terse opens prompts up to %3 MB.</source>
        <translation>“%1”大小为 %2 MB；Terse 只能打开不超过 %3 MB 的提示词。</translation>
    </message>
    <message>
        <source>Cannot read “%1”: %2</source>
        <translation>无法读取“%1”：%2</translation>
    </message>
    <message>
        <source>“%1” looks like a binary file (NUL byte at offset %2); open a text file.</source>
        <translation>“%1”看起来是二进制文件（偏移 %2 处有 NUL 字节）；请打开文本文件。</translation>
    </message>
    <message>
        <source>“%1” is not valid UTF-8 text (first invalid byte at offset %2). Convert it to UTF-8 and try again.</source>
        <translation>“%1”不是有效的 UTF-8 文本（第一个无效字节位于偏移 %2）。请转换为 UTF-8 后重试。</translation>
    </message>
    <message>
        <source>Opened %1 (%2 KB).</source>
        <translation>已打开 %1（%2 KB）。</translation>
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
        <translation>保存提示词</translation>
    </message>
    <message>
        <source>Text files (*.txt *.md);;All files (*)</source>
        <translation>文本文件 (*.txt *.md);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Cannot save “%1”: %2</source>
        <translation>无法保存“%1”：%2</translation>
    </message>
    <message>
        <source>Saved the prompt to %1.</source>
        <translation>提示词已保存到 %1。</translation>
    </message>
    <message>
        <source>S&amp;amples</source>
        <translation>示例(&amp;A)</translation>
    </message>
    <message>
        <source>The prompt changed since this result: compress again before pinning.</source>
        <translation>此结果之后提示词已更改：请先重新压缩再固定。</translation>
    </message>
    <message>
        <source>Pin “%1” (keep)</source>
        <translation>固定“%1”（保留）</translation>
    </message>
    <message>
        <source>Pin “%1” (drop)</source>
        <translation>固定“%1”（删除）</translation>
    </message>
    <message>
        <source>Unpin “%1”</source>
        <translation>取消固定“%1”</translation>
    </message>
</context>
<context>
    <name>terse::app::EngineTerms</name>
    <message>
        <source>self_information</source>
        <translation>自信息</translation>
    </message>
    <message>
        <source>surprisal</source>
        <translation>惊奇度</translation>
    </message>
    <message>
        <source>contrastive</source>
        <translation>对比困惑度</translation>
    </message>
    <message>
        <source>entropy</source>
        <translation>熵</translation>
    </message>
    <message>
        <source>entropy_before</source>
        <translation>之前的熵</translation>
    </message>
    <message>
        <source>entropy_after</source>
        <translation>之后的熵</translation>
    </message>
    <message>
        <source>attention</source>
        <translation>注意力</translation>
    </message>
    <message>
        <source>fused</source>
        <translation>融合分数</translation>
    </message>
    <message>
        <source>restored</source>
        <translation>已恢复</translation>
    </message>
    <message>
        <source>probability</source>
        <translation>概率</translation>
    </message>
    <message>
        <source>probability_no_force</source>
        <translation>未强制概率</translation>
    </message>
    <message>
        <source>probability_final</source>
        <translation>最终概率</translation>
    </message>
    <message>
        <source>context_probability</source>
        <translation>上下文概率</translation>
    </message>
    <message>
        <source>context_rank</source>
        <translation>上下文排名</translation>
    </message>
    <message>
        <source>context_rank_score</source>
        <translation>上下文排名分数</translation>
    </message>
    <message>
        <source>context perplexity</source>
        <translation>上下文困惑度</translation>
    </message>
    <message>
        <source>context_bm25</source>
        <translation>上下文 BM25</translation>
    </message>
    <message>
        <source>context_gzip_distance</source>
        <translation>上下文 gzip 距离</translation>
    </message>
    <message>
        <source>format</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>sentence_bm25</source>
        <translation>句子 BM25</translation>
    </message>
    <message>
        <source>similarity</source>
        <translation>相似度</translation>
    </message>
    <message>
        <source>tfidf</source>
        <translation>TF-IDF</translation>
    </message>
    <message>
        <source>weight</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>allocation</source>
        <translation>分配</translation>
    </message>
    <message>
        <source>score</source>
        <translation>分数</translation>
    </message>
    <message>
        <source>single pass</source>
        <translation>单次</translation>
    </message>
    <message>
        <source>coarse ranking</source>
        <translation>粗排序</translation>
    </message>
    <message>
        <source>context filter</source>
        <translation>上下文过滤</translation>
    </message>
    <message>
        <source>sentence filter</source>
        <translation>句子过滤</translation>
    </message>
    <message>
        <source>question sentences</source>
        <translation>问题句子</translation>
    </message>
    <message>
        <source>token filter (global)</source>
        <translation>词元过滤（全局）</translation>
    </message>
    <message>
        <source>token filter (per chunk)</source>
        <translation>词元过滤（按块）</translation>
    </message>
    <message>
        <source>token budget</source>
        <translation>词元预算</translation>
    </message>
    <message>
        <source>percentile filter</source>
        <translation>百分位过滤</translation>
    </message>
    <message>
        <source>top self-information</source>
        <translation>最高自信息</translation>
    </message>
    <message>
        <source>The text that must be kept (pins, instruction, question) is longer than the requested rate allows</source>
        <translation>必须保留的文本（固定项、指令、问题）超出了所请求比例允许的长度</translation>
    </message>
    <message>
        <source>The method&apos;s units are too coarse for the requested rate: %1 of %2 target tokens kept, %3 asked</source>
        <translation>该方法的单位对所请求的比例来说太粗：保留了 %2 个目标词元中的 %1 个，请求为 %3 个</translation>
    </message>
    <message>
        <source>The kept contexts hold less than the requested rate: the best words of dropped contexts were kept too</source>
        <translation>保留的上下文少于所请求的比例：被丢弃上下文中最好的词也被保留</translation>
    </message>
    <message>
        <source>The kept, protected and pinned text does not allow the requested budget (%1 of %2 tokens)</source>
        <translation>保留、受保护和固定的文本无法满足所请求的预算（%2 个词元中的 %1 个）</translation>
    </message>
    <message>
        <source>The contexts kept by the coarse stage hold less than the requested rate: the best words of dropped ones were kept too</source>
        <translation>粗排阶段保留的上下文少于所请求的比例：被丢弃上下文中最好的词也被保留</translation>
    </message>
    <message>
        <source>The requested rate keeps more than the surviving sentences hold: text of removed sentences was kept</source>
        <translation>所请求的比例超过了剩余句子所含的内容：已删除句子的文本被保留</translation>
    </message>
    <message>
        <source>The prompt was classified in %1 chunks of at most %2 tokens</source>
        <translation>提示被分成 %1 个块进行分类，每块最多 %2 个词元</translation>
    </message>
    <message>
        <source>No trained PIS agent (option &apos;agent&apos; or pis_agent.safetensors beside the model): every sentence gets the same keep fraction</source>
        <translation>没有训练好的 PIS 智能体（选项 “agent” 或模型旁的 pis_agent.safetensors）：每个句子获得相同的保留比例</translation>
    </message>
    <message>
        <source>The requested rate needs adjacent deletions: the consecutive-token limit was relaxed for the lowest-scored tokens</source>
        <translation>所请求的比例需要删除相邻词元：对得分最低的词元放宽了连续删除限制</translation>
    </message>
    <message>
        <source>Pinned spans are outside the reference algorithm: the pinned decisions override its selection</source>
        <translation>固定片段不属于参考算法：固定的决定覆盖其选择</translation>
    </message>
    <message>
        <source>No question segment: contexts are ranked by perplexity and the token stage is not question-conditioned</source>
        <translation>没有问题段：上下文按困惑度排序，词元阶段不以问题为条件</translation>
    </message>
    <message>
        <source>The prompt reads as %1 demonstrations: the %2 words of their shared format (labels, repeated lines, answer lines) are kept before other words</source>
        <translation>提示由 %1 个示例组成：它们共同格式的 %2 个词（标签、重复的行、答案行）优先于其他词保留</translation>
    </message>
    <message>
        <source>The prompt is shorter than one window (%1 tokens): the reference leaves most of it uncompressed</source>
        <translation>提示短于一个窗口（%1 个词元）：参考实现会使其大部分保持未压缩</translation>
    </message>
    <message>
        <source>stage %1</source>
        <translation>阶段 %1</translation>
    </message>
    <message>
        <source>window %1</source>
        <translation>窗口 %1</translation>
    </message>
    <message>
        <source>word</source>
        <translation>词</translation>
    </message>
    <message>
        <source>phrase</source>
        <translation>短语</translation>
    </message>
    <message>
        <source>sentence</source>
        <translation>句子</translation>
    </message>
    <message>
        <source>token</source>
        <translation>词元</translation>
    </message>
    <message>
        <source>words</source>
        <translation>词</translation>
    </message>
    <message>
        <source>phrases</source>
        <translation>短语</translation>
    </message>
    <message>
        <source>sentences</source>
        <translation>句子</translation>
    </message>
    <message>
        <source>tokens</source>
        <translation>词元</translation>
    </message>
    <message>
        <source>scoring</source>
        <translation>评分</translation>
    </message>
    <message>
        <source>scoring windows</source>
        <translation>窗口评分</translation>
    </message>
    <message>
        <source>scoring sentences</source>
        <translation>句子评分</translation>
    </message>
    <message>
        <source>classifying chunks</source>
        <translation>分块分类</translation>
    </message>
    <message>
        <source>context ranking</source>
        <translation>上下文排序</translation>
    </message>
    <message>
        <source>token-level compression</source>
        <translation>词元级压缩</translation>
    </message>
    <message>
        <source>DAC stage</source>
        <translation>DAC 阶段</translation>
    </message>
    <message>
        <source>PIS scoring</source>
        <translation>PIS 评分</translation>
    </message>
    <message>
        <source>PIS sentence filter</source>
        <translation>PIS 句子过滤</translation>
    </message>
    <message>
        <source>PIS allocation</source>
        <translation>PIS 分配</translation>
    </message>
    <message>
        <source>done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>A setting is out of range or inconsistent</source>
        <translation>某个设置超出范围或不一致</translation>
    </message>
    <message>
        <source>The input cannot be used</source>
        <translation>输入无法使用</translation>
    </message>
    <message>
        <source>Not found</source>
        <translation>未找到</translation>
    </message>
    <message>
        <source>Reading or writing a file failed</source>
        <translation>读写文件失败</translation>
    </message>
    <message>
        <source>A file is malformed</source>
        <translation>文件格式错误</translation>
    </message>
    <message>
        <source>Not supported by this build</source>
        <translation>此版本不支持</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>The model failed</source>
        <translation>模型出错</translation>
    </message>
    <message>
        <source>The session database failed</source>
        <translation>会话数据库出错</translation>
    </message>
    <message>
        <source>Internal error (please report it)</source>
        <translation>内部错误（请报告）</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <comment>error category — engine detail</comment>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>The prompt&apos;s last lines ask a question: they are kept whole and the question-aware methods rank against them (in the structured editor the parts are yours)</source>
        <translation>提示的最后几行是一个问题：它们被完整保留，关注问题的方法据此排序（在结构化编辑器中，各部分由您决定）</translation>
    </message>
    <message>
        <source>question focus</source>
        <translation>问题聚焦</translation>
    </message>
</context>
<context>
    <name>terse::app::ExportDialog</name>
    <message>
        <source>Terse cannot write into the folder “%1” (it is read-only or does not exist). Choose another folder.</source>
        <translation>Terse 无法写入文件夹“%1”（该文件夹只读或不存在）。请选择其他文件夹。</translation>
    </message>
    <message>
        <source>“%1” is read-only. Choose another name.</source>
        <translation>“%1”是只读的。请选择其他名称。</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
    <message>
        <source>Nothing was lost: the result is still open; try another place.</source>
        <translation>没有丢失任何数据：结果仍然打开着，请换一个位置再试。</translation>
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
        <translation>HTML 报告 (*.html *.htm)</translation>
    </message>
    <message>
        <source>CSV, one row per token (*.csv)</source>
        <translation>CSV，每个词元一行 (*.csv)</translation>
    </message>
    <message>
        <source>PNG image (*.png)</source>
        <translation>PNG 图像 (*.png)</translation>
    </message>
    <message>
        <source>SVG image (*.svg)</source>
        <translation>SVG 图像 (*.svg)</translation>
    </message>
    <message>
        <source>Terse compression result</source>
        <translation>Terse 压缩结果</translation>
    </message>
    <message>
        <source>Terse comparison</source>
        <translation>Terse 比较</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Units in</source>
        <translation>输入单元</translation>
    </message>
    <message>
        <source>Units out</source>
        <translation>输出单元</translation>
    </message>
    <message>
        <source>Target tokens in</source>
        <translation>目标词元（输入）</translation>
    </message>
    <message>
        <source>Target tokens out</source>
        <translation>目标词元（输出）</translation>
    </message>
    <message>
        <source>Achieved rate</source>
        <translation>实际保留率</translation>
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
        <translation>总耗时（毫秒）</translation>
    </message>
    <message>
        <source>Forward ms</source>
        <translation>前向计算（毫秒）</translation>
    </message>
    <message>
        <source>score: low → high (relative within each result)</source>
        <translation>分数：低 → 高（在每个结果内相对）</translation>
    </message>
    <message>
        <source>kept</source>
        <translation>保留</translation>
    </message>
    <message>
        <source>dropped</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Coloured by: %1</source>
        <translation>着色依据：%1</translation>
    </message>
    <message>
        <source>Compressed text</source>
        <translation>压缩文本</translation>
    </message>
    <message>
        <source>Cannot write “%1”: %2</source>
        <translation>无法写入“%1”：%2</translation>
    </message>
    <message>
        <source>there is nothing to write.</source>
        <translation>没有可写入的内容。</translation>
    </message>
    <message>
        <source>the folder “%1” does not exist.</source>
        <translation>文件夹“%1”不存在。</translation>
    </message>
    <message>
        <source>it is a folder.</source>
        <translation>它是一个文件夹。</translation>
    </message>
    <message>
        <source>the file is read-only.</source>
        <translation>该文件是只读的。</translation>
    </message>
</context>
<context>
    <name>terse::app::HistoryDock</name>
    <message>
        <source>%1 failed: %2</source>
        <translation>%1 失败：%2</translation>
    </message>
    <message>
        <source>Rename Session</source>
        <translation>重命名会话</translation>
    </message>
    <message>
        <source>Delete Session</source>
        <translation>删除会话</translation>
    </message>
    <message>
        <source>Branch Session</source>
        <translation>分支会话</translation>
    </message>
    <message>
        <source>History</source>
        <translation>历史</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>重命名</translation>
    </message>
    <message>
        <source>Rename the selected session (F2)</source>
        <translation>重命名所选会话 (F2)</translation>
    </message>
    <message>
        <source>Branch</source>
        <translation>分支</translation>
    </message>
    <message>
        <source>Duplicate the selected session to branch an experiment</source>
        <translation>复制所选会话以分支出新实验</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Delete the selected session (Del); can be undone</source>
        <translation>删除所选会话 (Del)；可撤销</translation>
    </message>
    <message>
        <source>Search names and prompts…</source>
        <translation>搜索名称和提示词…</translation>
    </message>
    <message>
        <source>Only sessions with a run of this method</source>
        <translation>仅显示含有此方法运行的会话</translation>
    </message>
    <message>
        <source>Any method</source>
        <translation>任意方法</translation>
    </message>
    <message>
        <source>Tag</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>Only sessions with this tag</source>
        <translation>仅显示带有此标签的会话</translation>
    </message>
    <message>
        <source>Only sessions changed in this period</source>
        <translation>仅显示在此期间修改的会话</translation>
    </message>
    <message>
        <source>Any time</source>
        <translation>任意时间</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>最近 7 天</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>最近 30 天</translation>
    </message>
    <message>
        <source>Sort order</source>
        <translation>排序方式</translation>
    </message>
    <message>
        <source>Newest first</source>
        <translation>最新优先</translation>
    </message>
    <message>
        <source>Oldest first</source>
        <translation>最早优先</translation>
    </message>
    <message>
        <source>Created, newest</source>
        <translation>创建时间，最新</translation>
    </message>
    <message>
        <source>Name A–Z</source>
        <translation>名称 A–Z</translation>
    </message>
    <message>
        <source>Name Z–A</source>
        <translation>名称 Z–A</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <source>Session / run</source>
        <translation>会话 / 运行</translation>
    </message>
    <message>
        <source>Updated</source>
        <translation>更新时间</translation>
    </message>
    <message>
        <source>Cannot list sessions: %1</source>
        <translation>无法列出会话：%1</translation>
    </message>
    <message numerus="yes">
        <source>%n run(s)</source>
        <translation>
            <numerusform>%n 次运行</numerusform>
        </translation>
    </message>
    <message>
        <source>Tags: %1</source>
        <translation>标签：%1</translation>
    </message>
    <message>
        <source>Created %1, updated %2</source>
        <translation>创建于 %1，更新于 %2</translation>
    </message>
    <message>
        <source>%1 · %2 → %3 (%4%)</source>
        <translation>%1 · %2 → %3 (%4%)</translation>
    </message>
    <message>
        <source>%1, %2 mode</source>
        <translation>%1，%2 模式</translation>
    </message>
    <message>
        <source>Model: %1</source>
        <translation>模型：%1</translation>
    </message>
    <message>
        <source>Cannot rename the session: %1</source>
        <translation>无法重命名会话：%1</translation>
    </message>
</context>
<context>
    <name>terse::app::MainWindow</name>
    <message>
        <source>Cannot load this model: %1</source>
        <translation>无法加载此模型：%1</translation>
    </message>
    <message>
        <source>Compression method</source>
        <translation>压缩方法</translation>
    </message>
    <message>
        <source>&amp;Method:</source>
        <translation>方法(&amp;M)：</translation>
    </message>
    <message>
        <source>Rate: the fraction of tokens to keep (compressed / original). Default 0.5.</source>
        <translation>压缩率：保留的词元比例（压缩后 / 原始）。默认 0.5。</translation>
    </message>
    <message>
        <source>&amp;Rate:</source>
        <translation>压缩率(&amp;R)：</translation>
    </message>
    <message>
        <source>Compress</source>
        <translation>压缩</translation>
    </message>
    <message>
        <source>Compress the prompt (Ctrl+Return)</source>
        <translation>压缩提示词 (Ctrl+Return)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Stop the running job (Esc)</source>
        <translation>停止正在运行的任务 (Esc)</translation>
    </message>
    <message>
        <source>Ready.</source>
        <translation>就绪。</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <source>M&amp;odel:</source>
        <translation>模型(&amp;O)：</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Open…</source>
        <translation>打开(&amp;O)…</translation>
    </message>
    <message>
        <source>Open prompt</source>
        <translation>打开提示词</translation>
    </message>
    <message>
        <source>Text files (*.txt *.md *.markdown);;All files (*)</source>
        <translation>文本文件 (*.txt *.md *.markdown);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Save Compressed Text As…</source>
        <translation>将压缩文本另存为(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;New Session</source>
        <translation>新建会话(&amp;N)</translation>
    </message>
    <message>
        <source>Open Session &amp;Database…</source>
        <translation>打开会话数据库(&amp;D)…</translation>
    </message>
    <message>
        <source>Open or create a session database</source>
        <translation>打开或创建会话数据库</translation>
    </message>
    <message>
        <source>Terse sessions (*.sqlite3 *.sqlite *.db);;All files (*)</source>
        <translation>Terse 会话 (*.sqlite3 *.sqlite *.db);;所有文件 (*)</translation>
    </message>
    <message>
        <source>&amp;Export Sessions…</source>
        <translation>导出会话(&amp;E)…</translation>
    </message>
    <message>
        <source>&amp;Import Sessions…</source>
        <translation>导入会话(&amp;I)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Copy Compressed Text</source>
        <translation>复制压缩文本(&amp;C)</translation>
    </message>
    <message>
        <source>Undo Session Change</source>
        <translation>撤销会话更改</translation>
    </message>
    <message>
        <source>Redo Session Change</source>
        <translation>重做会话更改</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>运行(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Compress</source>
        <translation>压缩(&amp;C)</translation>
    </message>
    <message>
        <source>C&amp;ancel</source>
        <translation>取消(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About Terse Studio</source>
        <translation>关于 Terse Studio(&amp;A)</translation>
    </message>
    <message>
        <source>About Terse Studio</source>
        <translation>关于 Terse Studio</translation>
    </message>
    <message>
        <source>&lt;b&gt;Terse Studio %1&lt;/b&gt;&lt;p&gt;A workbench for LLM prompt compression.&lt;/p&gt;&lt;p&gt;libtorch %2, %3 threads.&lt;/p&gt;&lt;p&gt;Licensed under the GNU GPL v3 or later.&lt;/p&gt;</source>
        <translation>&lt;b&gt;Terse Studio %1&lt;/b&gt;&lt;p&gt;LLM 提示词压缩工作台。&lt;/p&gt;&lt;p&gt;libtorch %2，%3 个线程。&lt;/p&gt;&lt;p&gt;依据 GNU GPL v3 或更高版本授权。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Language changed; some texts change after a restart.</source>
        <translation>语言已更改；部分文字需重启后才会更新。</translation>
    </message>
    <message>
        <source>Edit Prompt</source>
        <translation>编辑提示词</translation>
    </message>
    <message>
        <source>Save &amp;Prompt</source>
        <translation>保存提示词(&amp;P)</translation>
    </message>
    <message>
        <source>Save Prompt &amp;As…</source>
        <translation>提示词另存为(&amp;A)…</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Structured Prompt Editor</source>
        <translation>结构化提示词编辑器(&amp;S)</translation>
    </message>
    <message>
        <source>Edit the prompt as instruction, contexts and question</source>
        <translation>按指令、上下文和问题编辑提示词</translation>
    </message>
    <message>
        <source>Answer Check</source>
        <translation>回答检查</translation>
    </message>
    <message>
        <source>Ask the &amp;Target Model</source>
        <translation>询问目标模型(&amp;T)</translation>
    </message>
    <message>
        <source>Send the original and the compressed prompt to the target model and compare the answers</source>
        <translation>将原始提示和压缩后的提示发送给目标模型并比较回答</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>成本</translation>
    </message>
    <message>
        <source>Loading the engine…</source>
        <translation>正在加载引擎…</translation>
    </message>
    <message>
        <source>Loading the model engine…</source>
        <translation>正在加载模型引擎…</translation>
    </message>
    <message>
        <source>No engine</source>
        <translation>无引擎</translation>
    </message>
    <message>
        <source>The model engine is not available.</source>
        <translation>模型引擎不可用。</translation>
    </message>
    <message>
        <source>The model engine could not be loaded, so nothing can be compressed: %1</source>
        <translation>无法加载模型引擎，因此无法压缩：%1</translation>
    </message>
    <message>
        <source>not loaded</source>
        <translation>未加载</translation>
    </message>
</context>
<context>
    <name>terse::app::ModelPicker</name>
    <message>
        <source>Model that scores the prompt</source>
        <translation>为提示词打分的模型</translation>
    </message>
    <message>
        <source>Add model…</source>
        <translation>添加模型…</translation>
    </message>
    <message>
        <source>Add a model file (.safetensors, .gguf, .bin) or a model folder</source>
        <translation>添加模型文件（.safetensors、.gguf、.bin）或模型文件夹</translation>
    </message>
    <message>
        <source>Model &amp;Folder…</source>
        <translation>模型文件夹(&amp;F)…</translation>
    </message>
    <message>
        <source>Add model folder</source>
        <translation>添加模型文件夹</translation>
    </message>
    <message>
        <source>Model &amp;File…</source>
        <translation>模型文件(&amp;F)…</translation>
    </message>
    <message>
        <source>Add model file</source>
        <translation>添加模型文件</translation>
    </message>
    <message>
        <source>Model files (*.safetensors *.gguf *.bin);;All files (*)</source>
        <translation>模型文件 (*.safetensors *.gguf *.bin);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Method default</source>
        <translation>方法默认</translation>
    </message>
    <message>
        <source>Each method uses its own default model</source>
        <translation>每种方法使用各自的默认模型</translation>
    </message>
    <message>
        <source>Terse LM</source>
        <translation>Terse 语言模型</translation>
    </message>
    <message>
        <source>Terse tagger</source>
        <translation>Terse 标注器</translation>
    </message>
    <message>
        <source>%1 (bundled)</source>
        <translation>%1（内置）</translation>
    </message>
    <message>
        <source>%1 (not installed)</source>
        <translation>%1（未安装）</translation>
    </message>
    <message>
        <source>HuggingFace cache: %1
%2</source>
        <translation>HuggingFace 缓存：%1
%2</translation>
    </message>
    <message>
        <source>Only pickle weights: convert to safetensors to use it.</source>
        <translation>仅有 pickle 权重：请转换为 safetensors 后使用。</translation>
    </message>
    <message>
        <source>%1 (HF cache)</source>
        <translation>%1（HF 缓存）</translation>
    </message>
    <message>
        <source>&apos;%1&apos; does not exist.</source>
        <translation>&apos;%1&apos; 不存在。</translation>
    </message>
    <message>
        <source>&apos;%1&apos; holds no model Terse can load: %2</source>
        <translation>&apos;%1&apos; 中没有 Terse 能加载的模型：%2</translation>
    </message>
    <message>
        <source>Cannot check &apos;%1&apos;: %2</source>
        <translation>无法检查“%1”：%2</translation>
    </message>
</context>
<context>
    <name>terse::app::ParameterPanel</name>
    <message>
        <source>Method parameters</source>
        <translation>方法参数</translation>
    </message>
    <message>
        <source>This method has no parameters.</source>
        <translation>此方法没有参数。</translation>
    </message>
    <message>
        <source>Common</source>
        <translation>通用</translation>
    </message>
    <message>
        <source>Corrected</source>
        <translation>修正</translation>
    </message>
    <message>
        <source>Reference</source>
        <translation>参考</translation>
    </message>
    <message>
        <source>Corrected fixes the reference implementation&apos;s quirks so the achieved rate matches the requested one; Reference reproduces the reference exactly (parity).</source>
        <translation>“修正”模式修复参考实现的缺陷，使实际压缩率与请求值一致；“参考”模式精确复现参考实现（一致性）。</translation>
    </message>
    <message>
        <source>Mode (default corrected):</source>
        <translation>模式（默认：修正）：</translation>
    </message>
    <message>
        <source>Random seed for methods with randomness.</source>
        <translation>用于含随机性方法的随机种子。</translation>
    </message>
    <message>
        <source>Seed (default %1):</source>
        <translation>随机种子（默认 %1）：</translation>
    </message>
    <message>
        <source>use rate</source>
        <translation>使用压缩率</translation>
    </message>
    <message>
        <source>Token budget of the output; 0 uses the rate instead.</source>
        <translation>输出的词元预算；0 表示改用压缩率。</translation>
    </message>
    <message>
        <source>Target tokens (default 0 = rate):</source>
        <translation>目标词元数（默认 0 = 压缩率）：</translation>
    </message>
    <message>
        <source>Reset to Defaults</source>
        <translation>恢复默认值</translation>
    </message>
    <message>
        <source>Set every parameter back to the method&apos;s default</source>
        <translation>将所有参数恢复为该方法的默认值</translation>
    </message>
    <message>
        <source>%1:</source>
        <translation>%1：</translation>
    </message>
    <message>
        <source>%1 (default %2):</source>
        <translation>%1（默认 %2）：</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>Automatic (the GPU when there is one)</source>
        <translation>自动（有 GPU 时使用 GPU）</translation>
    </message>
    <message>
        <source>GPU (CUDA)</source>
        <translation>GPU (CUDA)</translation>
    </message>
    <message>
        <source>Not available: this build&apos;s libtorch has no CUDA, or no GPU is visible.</source>
        <translation>不可用：此版本的 libtorch 不含 CUDA，或看不到 GPU。</translation>
    </message>
    <message>
        <source>Runs on the CPU here: no GPU is available.</source>
        <translation>此处在 CPU 上运行：没有可用的 GPU。</translation>
    </message>
    <message>
        <source>Where the models run. Methods without a model ignore it.</source>
        <translation>模型运行的位置。不使用模型的方法会忽略此项。</translation>
    </message>
    <message>
        <source>Device (default CPU):</source>
        <translation>设备（默认 CPU）：</translation>
    </message>
    <message>
        <source>Known once the model engine has loaded.</source>
        <translation>模型引擎加载后可知。</translation>
    </message>
    <message>
        <source>Loading the engine…</source>
        <translation>正在加载引擎…</translation>
    </message>
    <message>
        <source>Bundled (terse-words)</source>
        <translation>内置 (terse-words)</translation>
    </message>
    <message>
        <source>None (exact words)</source>
        <translation>无（仅精确词）</translation>
    </message>
    <message>
        <source>Choose a file…</source>
        <translation>选择文件…</translation>
    </message>
    <message>
        <source>Corrected mode: the question-aware rankings (coarse ranking, question sentences, question focus) also match a question&apos;s words to near-synonyms in the text (movie ~ film) through these word vectors. None matches exact words only; a file comes from `terse train vectors`. Reference mode never uses them.</source>
        <translation>修正模式：问题感知的排序（粗排序、问题句、问题聚焦）还会通过这些词向量把问题中的词与文本中的近义词匹配（movie ~ film）。“无”只匹配精确词；文件来自 `terse train vectors`。参考模式从不使用它们。</translation>
    </message>
    <message>
        <source>Word vectors (default bundled):</source>
        <translation>词向量（默认内置）：</translation>
    </message>
    <message>
        <source>Word vectors</source>
        <translation>词向量</translation>
    </message>
    <message>
        <source>Word vectors (*.safetensors);;All files (*)</source>
        <translation>词向量 (*.safetensors);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>terse::app::PinList</name>
    <message>
        <source>&lt;b&gt;Pinned words&lt;/b&gt;</source>
        <translation>&lt;b&gt;已固定的词&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Click a word in the result to pin it: keep → drop → unpinned. Every method honours pins.</source>
        <translation>点击结果中的词即可固定：保留 → 删除 → 取消固定。所有方法都会遵守固定。</translation>
    </message>
    <message>
        <source>Unpin</source>
        <translation>取消固定</translation>
    </message>
    <message>
        <source>Unpin All</source>
        <translation>全部取消固定</translation>
    </message>
    <message>
        <source>keep: %1</source>
        <translation>保留：%1</translation>
    </message>
    <message>
        <source>drop: %1</source>
        <translation>删除：%1</translation>
    </message>
    <message>
        <source>None: click a word in the result to pin it.</source>
        <translation>无：点击结果中的词即可固定。</translation>
    </message>
</context>
<context>
    <name>terse::app::ResultAdapter</name>
    <message>
        <source>Instructions and questions are kept verbatim.</source>
        <translation>指令和问题按原文保留。</translation>
    </message>
    <message>
        <source>Pinned: always kept.</source>
        <translation>已固定：始终保留。</translation>
    </message>
    <message>
        <source>Pinned: always dropped.</source>
        <translation>已固定：始终删除。</translation>
    </message>
    <message>
        <source>Kept: %1 %2 is at or above the threshold %3.</source>
        <translation>保留：%1 %2 不低于阈值 %3。</translation>
    </message>
    <message>
        <source>Dropped: %1 %2 is below the threshold %3.</source>
        <translation>删除：%1 %2 低于阈值 %3。</translation>
    </message>
    <message>
        <source>Kept.</source>
        <translation>保留。</translation>
    </message>
    <message>
        <source>Dropped.</source>
        <translation>删除。</translation>
    </message>
    <message>
        <source>Removed in stage: %1.</source>
        <translation>在阶段 %1 中删除。</translation>
    </message>
    <message>
        <source>Still present after stage: %1.</source>
        <translation>在阶段 %1 之后仍然存在。</translation>
    </message>
    <message>
        <source>Dropped later.</source>
        <translation>之后被删除。</translation>
    </message>
    <message>
        <source>Pinned by you: always kept (click again to pin as dropped).</source>
        <translation>已由你固定：始终保留（再次点击改为固定删除）。</translation>
    </message>
    <message>
        <source>Pinned by you: always dropped (click again to unpin).</source>
        <translation>已由你固定：始终删除（再次点击取消固定）。</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <comment>milliseconds</comment>
        <translation>%1 毫秒</translation>
    </message>
    <message>
        <source>%1 s</source>
        <comment>seconds</comment>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 min</source>
        <comment>minutes</comment>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <comment>minutes and seconds</comment>
        <translation>%1 分 %2 秒</translation>
    </message>
    <message>
        <source>%1 h</source>
        <comment>hours</comment>
        <translation>%1 小时</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <comment>hours and minutes</comment>
        <translation>%1 小时 %2 分</translation>
    </message>
    <message>
        <source>%1 → %2 target tokens (%3% kept, requested %4%) · %5 → %6 %7 · %8</source>
        <translation>%1 → %2 个目标词元（保留 %3%，请求 %4%）· %5 → %6 个%7 · %8</translation>
    </message>
    <message>
        <source>%1 → %2 %3 (%4% kept, requested %5%) · %6</source>
        <translation>%1 → %2 个%3（保留 %4%，请求 %5%）· %6</translation>
    </message>
    <message>
        <source>Pieces: %1.</source>
        <translation>组成部分：%1。</translation>
    </message>
</context>
<context>
    <name>terse::app::ResultInspector</name>
    <message>
        <source>No result yet: paste a prompt and press Compress.</source>
        <translation>尚无结果：粘贴提示词并点击“压缩”。</translation>
    </message>
    <message>
        <source>Colour tokens by this score</source>
        <translation>按此分数为词元着色</translation>
    </message>
    <message>
        <source>Colour &amp;by:</source>
        <translation>着色依据(&amp;B)：</translation>
    </message>
    <message>
        <source>Click a word to pin it (keep → drop → unpinned); Ctrl+click to see its attention; right-click for more.</source>
        <translation>点击词可固定（保留 → 删除 → 取消固定）；Ctrl+点击查看其注意力；右键查看更多。</translation>
    </message>
    <message>
        <source>Transformer layer (0 = first)</source>
        <translation>Transformer 层（0 = 第一层）</translation>
    </message>
    <message>
        <source>all (sum)</source>
        <translation>全部（求和）</translation>
    </message>
    <message>
        <source>Attention head; “all” sums the heads of the layer</source>
        <translation>注意力头；“全部”表示对该层所有头求和</translation>
    </message>
    <message>
        <source>&amp;Layer:</source>
        <translation>层(&amp;L)：</translation>
    </message>
    <message>
        <source>&amp;Head:</source>
        <translation>头(&amp;H)：</translation>
    </message>
    <message>
        <source>Ctrl+click a word in the result to see where it attends.</source>
        <translation>Ctrl+点击结果中的词，查看它关注哪些词元。</translation>
    </message>
    <message>
        <source>Scores</source>
        <translation>分数</translation>
    </message>
    <message>
        <source>Histogram</source>
        <translation>直方图</translation>
    </message>
    <message>
        <source>Entropy Shift</source>
        <translation>熵变化</translation>
    </message>
    <message>
        <source>Attention</source>
        <translation>注意力</translation>
    </message>
    <message>
        <source>The colouring score per token, kept tokens marked, with the threshold and window boundaries</source>
        <translation>每个词元的着色分数，标出保留的词元，并显示阈值和窗口边界</translation>
    </message>
    <message>
        <source>Distribution of the colouring score, kept and dropped, with the threshold</source>
        <translation>着色分数的分布（保留与删除），并显示阈值</translation>
    </message>
    <message>
        <source>Per-token entropy before and after a stage of dynamic DAC</source>
        <translation>动态 DAC 某一阶段前后每个词元的熵</translation>
    </message>
    <message>
        <source>One layer/head&apos;s attention row from the selected word</source>
        <translation>所选词在某一层/头上的注意力行</translation>
    </message>
    <message>
        <source>decision only</source>
        <translation>仅显示判定</translation>
    </message>
    <message>
        <source>entropy before %1</source>
        <translation>%1 之前的熵</translation>
    </message>
    <message>
        <source>entropy after %1</source>
        <translation>%1 之后的熵</translation>
    </message>
    <message>
        <source>Computing the attention row of “%1”…</source>
        <translation>正在计算“%1”的注意力行…</translation>
    </message>
    <message>
        <source>No attention row: %1</source>
        <translation>无注意力行：%1</translation>
    </message>
    <message>
        <source>all heads</source>
        <translation>所有头</translation>
    </message>
    <message>
        <source>head %1</source>
        <translation>头 %1</translation>
    </message>
    <message>
        <source>attention from “%1” · layer %2 · %3</source>
        <translation>来自“%1”的注意力 · 第 %2 层 · %3</translation>
    </message>
    <message>
        <source>%1 model tokens · %2</source>
        <translation>%1 个模型词元 · %2</translation>
    </message>
    <message>
        <source>Pin: Always &amp;Keep</source>
        <translation>固定：始终保留(&amp;K)</translation>
    </message>
    <message>
        <source>Pin: Always &amp;Drop</source>
        <translation>固定：始终删除(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Unpin</source>
        <translation>取消固定(&amp;U)</translation>
    </message>
    <message>
        <source>Show &amp;Attention from Here</source>
        <translation>显示从此处出发的注意力(&amp;A)</translation>
    </message>
    <message>
        <source>removed in %1</source>
        <translation>在 %1 中删除</translation>
    </message>
    <message>
        <source>entropy (nats)</source>
        <translation>熵（nats）</translation>
    </message>
    <message>
        <source>Nothing to plot yet. After you compress, this shows each token&apos;s score against the threshold, the distribution of the scores and the attention of a word you Ctrl+click.</source>
        <translation>暂无可绘制的内容。压缩后，这里显示每个词元的分数与阈值、分数的分布，以及按住 Ctrl 点击的单词的注意力。</translation>
    </message>
    <message>
        <source>Stronger colour = higher %1 · threshold %2: at or above is kept · struck through = dropped</source>
        <translation>颜色越深 = %1 越高 · 阈值 %2：达到或高于即保留 · 删除线 = 已删除</translation>
    </message>
    <message>
        <source>Stronger colour = higher %1 · struck through = dropped</source>
        <translation>颜色越深 = %1 越高 · 删除线 = 已删除</translation>
    </message>
    <message>
        <source>No colours: only whether each unit was kept (struck through = dropped).</source>
        <translation>无颜色：仅显示每个单元是否保留（删除线 = 已删除）。</translation>
    </message>
    <message>
        <source>score: a random number per unit (Random baseline); the highest are kept.</source>
        <translation>score：每个单元一个随机数（随机基线）；保留最高的。</translation>
    </message>
    <message>
        <source>score: the value this ablation ranks units by; the highest are kept.</source>
        <translation>score：此消融实验用于排序单元的值；保留最高的。</translation>
    </message>
    <message>
        <source>score: the unit&apos;s position as the baseline ranks it (head, tail); the highest are kept.</source>
        <translation>score：基线（开头、结尾）对单元位置的排序；保留最高的。</translation>
    </message>
    <message>
        <source>self_information: −log p of the unit under the language model, summed over its tokens (Selective-Context); surprising units carry information and are kept.</source>
        <translation>self_information：语言模型下单元的 −log p，对其 token 求和（Selective-Context）；出人意料的单元携带信息，予以保留。</translation>
    </message>
    <message>
        <source>surprisal: −log p(token | what precedes it) under the small language model (LLMLingua&apos;s perplexity); the most surprising tokens are kept.</source>
        <translation>surprisal：小语言模型下的 −log p(token | 前文)（LLMLingua 的困惑度）；保留最出人意料的 token。</translation>
    </message>
    <message>
        <source>probability: the tagger&apos;s probability that a word should be kept (LLMLingua-2).</source>
        <translation>probability：标注器认为某个词应保留的概率（LLMLingua-2）。</translation>
    </message>
    <message>
        <source>probability_no_force: the tagger&apos;s keep probability before force tokens are set to 1 (LLMLingua-2&apos;s context score).</source>
        <translation>probability_no_force：强制 token 设为 1 之前标注器的保留概率（LLMLingua-2 的上下文分数）。</translation>
    </message>
    <message>
        <source>probability_final: the keep probability the decision used, after force tokens, digits and protected text (LLMLingua-2).</source>
        <translation>probability_final：决策所用的保留概率，已计入强制 token、数字和受保护文本（LLMLingua-2）。</translation>
    </message>
    <message>
        <source>entropy: how uncertain the language model is at the token, in nats (DAC, entropy ablation).</source>
        <translation>entropy：语言模型在该 token 处的不确定性，单位为 nat（DAC、熵消融）。</translation>
    </message>
    <message>
        <source>attention: how much attention the token receives from later tokens, averaged over layers and heads (DAC, PIS, attention ablation).</source>
        <translation>attention：该 token 从后续 token 获得的注意力，对层和头取平均（DAC、PIS、注意力消融）。</translation>
    </message>
    <message>
        <source>fused: DAC&apos;s combination of entropy and attention, weighted by α; the highest are kept.</source>
        <translation>fused：DAC 按 α 加权组合的熵与注意力；保留最高的。</translation>
    </message>
    <message>
        <source>tfidf: how distinctive the token is for this prompt (PIS&apos;s term weighting).</source>
        <translation>tfidf：该 token 对此提示的区分度（PIS 的词项加权）。</translation>
    </message>
    <message>
        <source>weight: PIS&apos;s final token weight from attention and TF-IDF; the highest are kept.</source>
        <translation>weight：PIS 由注意力和 TF-IDF 得出的最终 token 权重；保留最高的。</translation>
    </message>
    <message>
        <source>restored: 1 where recovery put back original text.</source>
        <translation>restored：恢复步骤放回原文之处为 1。</translation>
    </message>
    <message>
        <source>%1: a score computed by %2.</source>
        <translation>%1：由 %2 计算的分数。</translation>
    </message>
    <message>
        <source>the method</source>
        <translation>该方法</translation>
    </message>
    <message>
        <source>the model&apos;s window ending at the word (tokens %1–%2); earlier tokens are outside it</source>
        <translation>模型在该词处结束的窗口（token %1–%2）；更早的 token 在窗口之外</translation>
    </message>
</context>
<context>
    <name>terse::app::RunController</name>
    <message>
        <source>Compressing: %1 (%2 of %3)</source>
        <translation>正在压缩：%1（%2 / %3）</translation>
    </message>
    <message>
        <source>Compressing: %1…</source>
        <translation>正在压缩：%1…</translation>
    </message>
    <message>
        <source>about %1 left</source>
        <translation>约剩 %1</translation>
    </message>
    <message>
        <source>Re-decided from cached scores.</source>
        <translation>已根据缓存的分数重新判定。</translation>
    </message>
    <message>
        <source>Done.</source>
        <translation>完成。</translation>
    </message>
    <message>
        <source>Compression failed: %1</source>
        <translation>压缩失败：%1</translation>
    </message>
    <message>
        <source>Failed.</source>
        <translation>失败。</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <source>The prompt is empty: paste or open some text first.</source>
        <translation>提示词为空：请先粘贴或打开一些文本。</translation>
    </message>
    <message>
        <source>The prompt cannot be compressed: %1</source>
        <translation>无法压缩该提示词：%1</translation>
    </message>
    <message>
        <source>Compressing…</source>
        <translation>正在压缩…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>Note: %1.</source>
        <translation>提示：%1。</translation>
    </message>
    <message>
        <source>Warning: %1.</source>
        <translation>警告：%1。</translation>
    </message>
    <message>
        <source>Partial result: %1 of %2 stages done, the run goes on. The stage slider fills as stages finish; Cancel keeps the last complete result.</source>
        <translation>部分结果：已完成 %2 个阶段中的 %1 个，运行仍在继续。阶段滑块会随阶段完成而填充；取消将保留上一个完整结果。</translation>
    </message>
    <message>
        <source>Outdated: a new result is being computed.</source>
        <translation>已过时：正在计算新结果。</translation>
    </message>
    <message>
        <source>Outdated: the prompt changed after this result. Compress to update it.</source>
        <translation>已过时：此结果之后提示已更改。请压缩以更新。</translation>
    </message>
    <message>
        <source>Outdated: this result was computed with other settings (%1 at rate %2). Compress to update it.</source>
        <translation>已过时：此结果使用其他设置计算（%1，压缩率 %2）。请压缩以更新。</translation>
    </message>
    <message>
        <source>Nothing to save yet: compress a prompt first.</source>
        <translation>尚无可保存内容：请先压缩提示词。</translation>
    </message>
    <message>
        <source>Save compressed text</source>
        <translation>保存压缩文本</translation>
    </message>
    <message>
        <source>Text files (*.txt);;All files (*)</source>
        <translation>文本文件 (*.txt);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Cannot save “%1”: %2</source>
        <translation>无法保存“%1”：%2</translation>
    </message>
</context>
<context>
    <name>terse::app::SessionController</name>
    <message>
        <source>Sessions are not saved: %1</source>
        <translation>会话未保存：%1</translation>
    </message>
    <message>
        <source>New session started: the next runs are saved into it.</source>
        <translation>已开始新会话：之后的运行将保存到其中。</translation>
    </message>
    <message>
        <source>Autosave failed: %1</source>
        <translation>自动保存失败：%1</translation>
    </message>
    <message>
        <source>Restored your last working state.</source>
        <translation>已恢复上次的工作状态。</translation>
    </message>
    <message>
        <source>The run was not saved: %1</source>
        <translation>本次运行未保存：%1</translation>
    </message>
    <message>
        <source>Cannot load the saved run: %1</source>
        <translation>无法加载已保存的运行：%1</translation>
    </message>
    <message>
        <source>Showing a saved %1 run from %2 (not recomputed).</source>
        <translation>正在显示 %2 保存的 %1 运行（未重新计算）。</translation>
    </message>
    <message>
        <source>No session database is open.</source>
        <translation>未打开会话数据库。</translation>
    </message>
    <message>
        <source>Export sessions</source>
        <translation>导出会话</translation>
    </message>
    <message>
        <source>JSON files (*.json);;All files (*)</source>
        <translation>JSON 文件 (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Export only the selected session?</source>
        <translation>仅导出所选会话？</translation>
    </message>
    <message>
        <source>Cannot export sessions to “%1”: %2</source>
        <translation>无法将会话导出到“%1”：%2</translation>
    </message>
    <message>
        <source>Exported to %1.</source>
        <translation>已导出到 %1。</translation>
    </message>
    <message>
        <source>No writable session database is open.</source>
        <translation>未打开可写的会话数据库。</translation>
    </message>
    <message>
        <source>Import sessions</source>
        <translation>导入会话</translation>
    </message>
    <message>
        <source>Cannot import “%1”: %2</source>
        <translation>无法导入“%1”：%2</translation>
    </message>
    <message numerus="yes">
        <source>Imported %n session(s).</source>
        <translation>
            <numerusform>已导入 %n 个会话。</numerusform>
        </translation>
    </message>
    <message>
        <source>“%1” skipped: %2</source>
        <translation>已跳过“%1”：%2</translation>
    </message>
</context>
<context>
    <name>terse::app::SessionManager</name>
    <message>
        <source>Sessions: not opened yet.</source>
        <translation>会话：尚未打开。</translation>
    </message>
    <message>
        <source>Opening %1…</source>
        <translation>正在打开 %1…</translation>
    </message>
    <message>
        <source>The session database “%1” cannot be used: %2. Terse left the file as it is.</source>
        <translation>无法使用会话数据库“%1”：%2。Terse 未改动该文件。</translation>
    </message>
    <message>
        <source>Cannot open the session database “%1”: %2</source>
        <translation>无法打开会话数据库“%1”：%2</translation>
    </message>
    <message>
        <source>Still saving to %1.</source>
        <translation>仍保存到 %1。</translation>
    </message>
    <message>
        <source>Not saving sessions: %1 could not be opened. Use File › Open Session Database… to choose another file.</source>
        <translation>未保存会话：无法打开 %1。请使用“文件 › 打开会话数据库…”选择其他文件。</translation>
    </message>
    <message>
        <source>Read-only: %1 was written by a newer Terse (schema %2); runs are not saved.</source>
        <translation>只读：%1 由更新版本的 Terse 写入（架构 %2）；运行不会被保存。</translation>
    </message>
    <message>
        <source>Read-only: %1</source>
        <translation>只读：%1</translation>
    </message>
    <message>
        <source>Session %1</source>
        <translation>会话 %1</translation>
    </message>
    <message>
        <source>Saving sessions to %1 (opened in %2)</source>
        <translation>会话保存到 %1（打开耗时 %2）</translation>
    </message>
</context>
<context>
    <name>terse::app::WorkbenchActions</name>
    <message>
        <source>&amp;Run</source>
        <translation>运行(&amp;R)</translation>
    </message>
    <message>
        <source>Compare &amp;Methods…</source>
        <translation>比较方法(&amp;M)…</translation>
    </message>
    <message>
        <source>Run several methods or settings on this prompt and compare them side by side</source>
        <translation>对此提示词运行多个方法或设置，并排比较</translation>
    </message>
    <message>
        <source>&amp;Export Result…</source>
        <translation>导出结果(&amp;E)…</translation>
    </message>
    <message>
        <source>Save the shown result as JSON, Markdown, HTML (with the heatmap) or CSV</source>
        <translation>将显示的结果保存为 JSON、Markdown、HTML（含热力图）或 CSV</translation>
    </message>
    <message>
        <source>Export Score &amp;Plot…</source>
        <translation>导出分数图(&amp;P)…</translation>
    </message>
    <message>
        <source>Save the score plot as a PNG or SVG image</source>
        <translation>将分数图保存为 PNG 或 SVG 图像</translation>
    </message>
    <message>
        <source>Nothing to export yet: compress a prompt first.</source>
        <translation>尚无可导出的内容：请先压缩一个提示词。</translation>
    </message>
    <message>
        <source>Cannot export to “%1”: use a .json, .md, .html or .csv file name.</source>
        <translation>无法导出到“%1”：请使用 .json、.md、.html 或 .csv 文件名。</translation>
    </message>
    <message>
        <source>Nothing to export yet: the score plot is empty.</source>
        <translation>尚无可导出的内容：分数图为空。</translation>
    </message>
    <message>
        <source>Cannot export the plot to “%1”: use a .png or .svg file name.</source>
        <translation>无法将图导出到“%1”：请使用 .png 或 .svg 文件名。</translation>
    </message>
    <message>
        <source>Export result</source>
        <translation>导出结果</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
    <message>
        <source>Nothing was lost: the result is still open; try another place.</source>
        <translation>没有丢失任何数据：结果仍然打开着，请换一个位置再试。</translation>
    </message>
    <message>
        <source>Export score plot</source>
        <translation>导出分数图</translation>
    </message>
</context>
<context>
    <name>terse::engine</name>
    <message>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>token, phrase or sent (reference default phrase). Phrases without spaCy: a run of words broken before each function word (articles, prepositions, pronouns, auxiliaries) unless the phrase so far is all function words; punctuation marks are units of their own.</source>
        <translation>token、phrase 或 sent（参考实现默认 phrase）。不使用 spaCy 时的短语：一串单词，在每个功能词（冠词、介词、代词、助动词）之前断开，除非当前短语全部由功能词组成；标点符号各自单独成为一个单位。</translation>
    </message>
    <message>
        <source>Unit score</source>
        <translation>单位得分</translation>
    </message>
    <message>
        <source>Corrected mode: sum (total self-information of the unit) or mean per token (reference mode always uses the mean).</source>
        <translation>修正模式：sum（单位的总自信息）或按 token 的 mean（参考模式始终使用平均值）。</translation>
    </message>
    <message>
        <source>Protect regex</source>
        <translation>保护正则</translation>
    </message>
    <message>
        <source>Corrected mode: text matching this PCRE2 pattern is kept verbatim.</source>
        <translation>修正模式：匹配此 PCRE2 模式的文本将原样保留。</translation>
    </message>
    <message>
        <source>Keep structure</source>
        <translation>保留结构</translation>
    </message>
    <message>
        <source>Corrected mode: fenced code blocks are kept whole, JSON keys and punctuation are kept.</source>
        <translation>修正模式：围栏代码块完整保留，JSON 键和标点符号也予以保留。</translation>
    </message>
    <message>
        <source>Keep words whole</source>
        <translation>保持单词完整</translation>
    </message>
    <message>
        <source>Corrected mode: token units are whole words and numbers/identifiers (ABC-123, 3.14) are never split.</source>
        <translation>修正模式：token 单位为完整单词，数字/标识符（ABC-123、3.14）永不拆分。</translation>
    </message>
    <message>
        <source>Force tokens</source>
        <translation>强制保留 token</translation>
    </message>
    <message>
        <source>Always kept (p = 1); whitespace-separated with escapes (\n, \s); tokens that are not one subword map to [NEWi] (LLMLingua-2 force_tokens).</source>
        <translation>始终保留（p = 1）；以空白分隔，支持转义（\n、\s）；不是单个子词的 token 映射为 [NEWi]（LLMLingua-2 force_tokens）。</translation>
    </message>
    <message>
        <source>Chunk end tokens</source>
        <translation>分块结束 token</translation>
    </message>
    <message>
        <source>512-token chunks end after one of these (reference chunk_end_tokens).</source>
        <translation>512 token 的分块在这些 token 之一之后结束（参考实现 chunk_end_tokens）。</translation>
    </message>
    <message>
        <source>Drop consecutive force tokens</source>
        <translation>删除连续的强制 token</translation>
    </message>
    <message>
        <source>Drops a force token repeating the previous one with nothing important between (reference drop_consecutive).</source>
        <translation>删除与前一个强制 token 重复且二者之间无重要内容的强制 token（参考实现 drop_consecutive）。</translation>
    </message>
    <message>
        <source>Keep digits</source>
        <translation>保留数字</translation>
    </message>
    <message>
        <source>Words with a digit get p = 1 (reference force_reserve_digit).</source>
        <translation>含数字的单词 p = 1（参考实现 force_reserve_digit）。</translation>
    </message>
    <message>
        <source>Word probability</source>
        <translation>单词概率</translation>
    </message>
    <message>
        <source>Mean or first subword probability per word (reference token_to_word).</source>
        <translation>每个单词取子词概率的平均值或第一个子词的概率（参考实现 token_to_word）。</translation>
    </message>
    <message>
        <source>Context filter</source>
        <translation>上下文过滤</translation>
    </message>
    <message>
        <source>With several contexts, first drops whole contexts by mean word probability; default rate (rate+1)/2 (compress_prompt passes True).</source>
        <translation>有多个上下文时，先按平均单词概率丢弃整个上下文；默认压缩率 (rate+1)/2（compress_prompt 传入 True）。</translation>
    </message>
    <message>
        <source>Context keep rate</source>
        <translation>上下文保留率</translation>
    </message>
    <message>
        <source>Fraction of contexts kept by the context filter (1 = derive from rate).</source>
        <translation>上下文过滤保留的上下文比例（1 = 由压缩率推导）。</translation>
    </message>
    <message>
        <source>Target contexts</source>
        <translation>目标上下文数</translation>
    </message>
    <message>
        <source>Number of contexts to keep (-1 = off).</source>
        <translation>要保留的上下文数量（-1 = 关闭）。</translation>
    </message>
    <message>
        <source>Context token budget</source>
        <translation>上下文 token 预算</translation>
    </message>
    <message>
        <source>Target tokens for the context filter (-1 = off).</source>
        <translation>上下文过滤的目标 token 数（-1 = 关闭）。</translation>
    </message>
    <message>
        <source>Forced contexts</source>
        <translation>强制保留上下文</translation>
    </message>
    <message>
        <source>Comma- or space-separated indices of contexts the filter always keeps.</source>
        <translation>以逗号或空格分隔的上下文索引，过滤器始终保留这些上下文。</translation>
    </message>
    <message>
        <source>Coarse ranking</source>
        <translation>粗排序</translation>
    </message>
    <message>
        <source>Context filter score for a list of contexts: none (LLMLingua-2&apos;s mean word probability), bm25 (Okapi BM25 with the question as the query), gzip (compression distance to the question) or longllmlingua (question likelihood under a causal LM). auto: bm25 in corrected mode when the prompt has a question (keeps the answer document), none otherwise and in reference mode.</source>
        <translation>上下文列表的上下文过滤评分：none（LLMLingua-2 的平均单词概率）、bm25（以问题为查询的 Okapi BM25）、gzip（与问题的压缩距离）或 longllmlingua（因果 LM 下问题的似然）。auto：修正模式下提示含问题时为 bm25（保留答案文档），其他情况及参考模式下为 none。</translation>
    </message>
    <message>
        <source>Ranking model</source>
        <translation>排序模型</translation>
    </message>
    <message>
        <source>Causal LM for coarse_rank (empty = the bundled LM).</source>
        <translation>用于 coarse_rank 的因果 LM（留空 = 内置 LM）。</translation>
    </message>
    <message>
        <source>Keep identifiers whole</source>
        <translation>保持标识符完整</translation>
    </message>
    <message>
        <source>Corrected mode: numbers and identifiers split by the tokenizer (ABC-123, 3.14, user_id) are one unit.</source>
        <translation>修正模式：被分词器拆分的数字和标识符（ABC-123、3.14、user_id）视为一个单位。</translation>
    </message>
    <message>
        <source>Window (tokens)</source>
        <translation>窗口（token）</translation>
    </message>
    <message>
        <source>ITPC window length in small-LM tokens (reference default 200).</source>
        <translation>ITPC 窗口长度，以小型 LM 的 token 计（参考实现默认 200）。</translation>
    </message>
    <message>
        <source>Context budget</source>
        <translation>上下文预算</translation>
    </message>
    <message>
        <source>Sentence budget ratio</source>
        <translation>句子预算比例</translation>
    </message>
    <message>
        <source>Sentence filter budget = target x this ratio.</source>
        <translation>句子过滤预算 = 目标 x 此比例。</translation>
    </message>
    <message>
        <source>Question conditioning</source>
        <translation>问题条件化</translation>
    </message>
    <message>
        <source>How the question conditions the context ranking; &quot;_condition&quot; also prefixes the question in the token stage.</source>
        <translation>问题如何对上下文排序进行条件化；&quot;_condition&quot; 还会在 token 阶段将问题作为前缀。</translation>
    </message>
    <message>
        <source>Context order</source>
        <translation>上下文顺序</translation>
    </message>
    <message>
        <source>Order of the kept contexts: original, sort (rank order) or two_stage (interleaved).</source>
        <translation>保留的上下文的顺序：original、sort（按排名顺序）或 two_stage（交错）。</translation>
    </message>
    <message>
        <source>Dynamic ratio δ</source>
        <translation>动态比例 δ</translation>
    </message>
    <message>
        <source>Per-context keep-ratio offsets from +δ (best ranked) to -δ (worst).</source>
        <translation>每个上下文的保留比例偏移，从 +δ（排名最高）到 -δ（最低）。</translation>
    </message>
    <message>
        <source>Contrastive perplexity</source>
        <translation>对比困惑度</translation>
    </message>
    <message>
        <source>Score tokens by the drop in surprisal the question causes (LongLLMLingua).</source>
        <translation>按问题引起的惊异度下降为 token 评分（LongLLMLingua）。</translation>
    </message>
    <message>
        <source>Rank contexts and keep them up to the budget.</source>
        <translation>对上下文排序并保留至预算上限。</translation>
    </message>
    <message>
        <source>Sentence filter</source>
        <translation>句子过滤</translation>
    </message>
    <message>
        <source>Rank sentences and keep them up to budget x ratio.</source>
        <translation>对句子排序并保留至“预算 x 比例”的上限。</translation>
    </message>
    <message>
        <source>Token filter</source>
        <translation>token 过滤</translation>
    </message>
    <message>
        <source>Iterative token-level compression (ITPC).</source>
        <translation>迭代式 token 级压缩（ITPC）。</translation>
    </message>
    <message>
        <source>Keep first sentences</source>
        <translation>保留开头句子</translation>
    </message>
    <message>
        <source>Adds the priority bonus to the first N sentences.</source>
        <translation>为前 N 个句子加上优先奖励分。</translation>
    </message>
    <message>
        <source>Keep last sentences</source>
        <translation>保留末尾句子</translation>
    </message>
    <message>
        <source>Adds the priority bonus to the last N sentences.</source>
        <translation>为最后 N 个句子加上优先奖励分。</translation>
    </message>
    <message>
        <source>Keep sentences per context</source>
        <translation>每个上下文保留句子</translation>
    </message>
    <message>
        <source>Adds the bonus to N sentences per context.</source>
        <translation>为每个上下文中的 N 个句子加上奖励分。</translation>
    </message>
    <message>
        <source>Priority bonus</source>
        <translation>优先奖励分</translation>
    </message>
    <message>
        <source>Score bonus of prioritised sentences (reference 100).</source>
        <translation>优先句子的得分奖励（参考实现 100）。</translation>
    </message>
    <message>
        <source>Keep blank lines</source>
        <translation>保留空行</translation>
    </message>
    <message>
        <source>Keep runs of newline tokens (reference: Llama id 13).</source>
        <translation>保留连续的换行 token（参考实现：Llama id 13）。</translation>
    </message>
    <message>
        <source>Comma-separated context indices always kept.</source>
        <translation>以逗号分隔的上下文索引，始终保留。</translation>
    </message>
    <message>
        <source>Question sentences first</source>
        <translation>问题相关句子优先</translation>
    </message>
    <message>
        <source>Rank method</source>
        <translation>排序方法</translation>
    </message>
    <message>
        <source>Append question</source>
        <translation>附加问题</translation>
    </message>
    <message>
        <source>Append the question to the compressed prompt.</source>
        <translation>将问题附加到压缩后的提示末尾。</translation>
    </message>
    <message>
        <source>Instruction in prefix</source>
        <translation>指令放入前缀</translation>
    </message>
    <message>
        <source>Put the instruction into the conditioning prefix.</source>
        <translation>将指令放入条件前缀中。</translation>
    </message>
    <message>
        <source>Keep compress=False contexts</source>
        <translation>保留 compress=False 上下文</translation>
    </message>
    <message>
        <source>Contexts with a compress=False segment are always kept.</source>
        <translation>含 compress=False 片段的上下文始终保留。</translation>
    </message>
    <message>
        <source>Structured tags</source>
        <translation>结构化标签</translation>
    </message>
    <message>
        <source>Parse &lt;llmlingua, rate=..., compress=...&gt; tags: auto detects them.</source>
        <translation>解析 &lt;llmlingua, rate=..., compress=...&gt; 标签：auto 会自动检测。</translation>
    </message>
    <message>
        <source>Context scorer: longllmlingua (question-conditioned perplexity), bm25 (Okapi BM25, question as the query), gzip (compression distance to the question) or llmlingua (perplexity). auto: longllmlingua in reference mode and with a model of 100M parameters or more; bm25 with smaller ones such as the bundled model, whose perplexities do not rank documents.</source>
        <translation>上下文评分器：longllmlingua（以问题为条件的困惑度）、bm25（Okapi BM25，以问题为查询）、gzip（与问题的压缩距离）或 llmlingua（困惑度）。auto：参考模式下及使用 1 亿参数及以上的模型时为 longllmlingua；使用更小的模型（如内置模型）时为 bm25，因为其困惑度无法对文档排序。</translation>
    </message>
    <message>
        <source>Variant</source>
        <translation>变体</translation>
    </message>
    <message>
        <source>compressor.py methods: entropy only or fused, single pass or dynamic, and the consecutive-deletion limit (_wosucce)</source>
        <translation>compressor.py 方法：仅熵或融合、单遍或动态，以及连续删除上限（_wosucce）</translation>
    </message>
    <message>
        <source>Fusion</source>
        <translation>融合</translation>
    </message>
    <message>
        <source>additive: α·attention + (1−α)·entropy after min-max normalisation; multiplicative: raw product</source>
        <translation>additive：min-max 归一化后 α·attention + (1−α)·entropy；multiplicative：原始乘积</translation>
    </message>
    <message>
        <source>Attention weight α</source>
        <translation>注意力权重 α</translation>
    </message>
    <message>
        <source>weight of the attention term in the additive fusion (default 0.8)</source>
        <translation>加性融合中注意力项的权重（默认 0.8）</translation>
    </message>
    <message>
        <source>Stages T</source>
        <translation>阶段数 T</translation>
    </message>
    <message>
        <source>removal stages of the dynamic variants; 0 = min(max(1, n/100), 15)</source>
        <translation>动态变体的删除阶段数；0 = min(max(1, n/100), 15)</translation>
    </message>
    <message>
        <source>Preserve punctuation</source>
        <translation>保留标点</translation>
    </message>
    <message>
        <source>never remove tokens that are pure punctuation</source>
        <translation>从不删除纯标点的 token</translation>
    </message>
    <message>
        <source>Word score</source>
        <translation>单词得分</translation>
    </message>
    <message>
        <source>Corrected mode: a word&apos;s fused score from its tokens&apos; (mean, max, sum or first); whole words are removed per stage</source>
        <translation>修正模式：单词的融合得分由其 token 的得分得出（mean、max、sum 或 first）；每个阶段删除完整单词</translation>
    </message>
    <message>
        <source>TF-IDF weight γ</source>
        <translation>TF-IDF 权重 γ</translation>
    </message>
    <message>
        <source>w = attention^(1−γ) · tfidf^γ</source>
        <translation>w = attention^(1−γ) · tfidf^γ</translation>
    </message>
    <message>
        <source>Similarity τ</source>
        <translation>相似度 τ</translation>
    </message>
    <message>
        <source>a sentence this similar (cosine) to a kept earlier one is redundant</source>
        <translation>与先前保留的句子相似度（余弦）达到此值的句子视为冗余</translation>
    </message>
    <message>
        <source>Survival q</source>
        <translation>存活率 q</translation>
    </message>
    <message>
        <source>c consecutive redundant sentences: delete with probability 1 − q^c</source>
        <translation>c 个连续冗余句子：以概率 1 − q^c 删除</translation>
    </message>
    <message>
        <source>Russian-roulette removal of redundant sentences</source>
        <translation>以俄罗斯轮盘方式删除冗余句子</translation>
    </message>
    <message>
        <source>Ratio agent</source>
        <translation>比例智能体</translation>
    </message>
    <message>
        <source>safetensors file of a trained agent (default: pis_agent.safetensors beside the model)</source>
        <translation>已训练智能体的 safetensors 文件（默认：模型旁的 pis_agent.safetensors）</translation>
    </message>
    <message>
        <source>Corrected mode: a word&apos;s score from its tokens&apos; self-information: sum (the word&apos;s total information), mean, max or first</source>
        <translation>修正模式：单词得分由其 token 的自信息得出：sum（单词的总信息量）、mean、max 或 first</translation>
    </message>
    <message>
        <source>Corrected mode: a word&apos;s score from its tokens&apos; attention: max (any piece attended), mean, sum or first</source>
        <translation>修正模式：单词得分由其 token 的注意力得出：max（任一片段受到关注）、mean、sum 或 first</translation>
    </message>
    <message>
        <source>Question focus</source>
        <translation>问题聚焦</translation>
    </message>
    <message>
        <source>Corrected mode, a prompt with a question: the sentences that best match it (BM25) are kept whole first, up to half the budget, and the contexts that match it least come last. The bundled models alone kept the answer of multi-document questions less often than random deletion. Off: the method&apos;s scores alone, as in reference mode.</source>
        <translation>修正模式下，提示包含问题时：与问题最匹配的句子（BM25）优先完整保留，最多占预算的一半；与问题最不匹配的上下文排在最后。仅靠内置模型时，多文档问题的答案保留率低于随机删除。关闭：仅使用方法自身的分数，与参考模式相同。</translation>
    </message>
    <message>
        <source>Corrected mode: rank the kept contexts&apos; sentences by BM25 against the question (earlier sentences first among equals) and keep the best ones whole before the classifier&apos;s probabilities compress the rest; an answer is a phrase the small bundled tagger would cut. auto: on in corrected mode when the prompt has a question; off in reference mode.</source>
        <translation>修正模式：按 BM25 将保留上下文中的句子与问题匹配排序（同分时靠前的句子优先），先完整保留最佳句子，再由分类器的概率压缩其余部分；答案往往是内置小型标注器会删掉的短语。auto：修正模式下提示含问题时开启；参考模式下关闭。</translation>
    </message>
    <message>
        <source>Context scorer: llmlingua (perplexity), longllmlingua (question-conditioned perplexity), bm25 (Okapi BM25, question as the query) or gzip (compression distance to the question). auto: llmlingua in reference mode, with a model of 100M parameters or more and without a question; bm25 with smaller ones such as the bundled model when the prompt has a question (keeps the answer document).</source>
        <translation>上下文评分：llmlingua（困惑度）、longllmlingua（以问题为条件的困惑度）、bm25（Okapi BM25，以问题为查询）或 gzip（与问题的压缩距离）。auto：参考模式下、使用 1 亿参数及以上的模型或无问题时为 llmlingua；使用更小的模型（如内置模型）且提示含问题时为 bm25（保留答案文档）。</translation>
    </message>
    <message>
        <source>Corrected mode: rank the contexts&apos; sentences by BM25 against the question and keep the best ones whole before the model&apos;s scores compress the rest (answers are phrases: a small LM&apos;s per-word scores break them). auto: on with a model under 100M parameters, such as the bundled one, when the prompt has a question; off in reference mode.</source>
        <translation>修正模式：先用 BM25 按问题对各上下文的句子排序，完整保留最佳句子，再由模型得分压缩其余部分（答案是短语：小型 LM 的逐词得分会将其拆散）。auto：使用少于 1 亿参数的模型（如内置模型）且提示含问题时开启；参考模式下关闭。</translation>
    </message>
    <message>
        <source>Attention baseline</source>
        <translation>注意力基线</translation>
    </message>
    <message>
        <source>Corrected mode: a token&apos;s received attention over what a token seen by the same queries receives at those distances in this prompt (distance), or its mean over those queries (queries: the last tokens, seen only by nearby queries, score high: at rate 0.33 DAC kept 66-82% of a prompt&apos;s last tenth, 14-27% of its middle).</source>
        <translation>修正模式：一个词元获得的注意力，除以在本提示中被相同查询在相同距离上看到的词元平均获得的注意力（distance），或取这些查询上的平均值（queries：最后的词元只被附近的查询看到，得分偏高：在比率 0.33 时，DAC 保留了提示最后十分之一的 66–82%，中间部分的 14–27%）。</translation>
    </message>
    <message>
        <source>Random (baseline)</source>
        <translation>随机（基线）</translation>
    </message>
    <message>
        <source>Keeps a seeded random subset of the words at the requested rate.</source>
        <translation>按所需比例保留一个固定种子的随机词子集。</translation>
    </message>
    <message>
        <source>Keep head (baseline)</source>
        <translation>保留开头（基线）</translation>
    </message>
    <message>
        <source>Keeps the first words up to the requested rate (truncation).</source>
        <translation>保留开头的词，直到所需比例（截断）。</translation>
    </message>
    <message>
        <source>Keep tail (baseline)</source>
        <translation>保留结尾（基线）</translation>
    </message>
    <message>
        <source>Keeps the last words up to the requested rate.</source>
        <translation>保留结尾的词，直到所需比例。</translation>
    </message>
    <message>
        <source>Keep head and tail (baseline)</source>
        <translation>保留开头和结尾（基线）</translation>
    </message>
    <message>
        <source>Keeps the first and last words, half of the budget each.</source>
        <translation>保留开头和结尾的词，各占预算的一半。</translation>
    </message>
    <message>
        <source>Selective-Context</source>
        <translation>Selective-Context</translation>
    </message>
    <message>
        <source>Drops the tokens, phrases or sentences with the least self-information under a causal LM (Selective-Context).</source>
        <translation>删除在因果语言模型下自信息最少的词元、短语或句子（Selective-Context）。</translation>
    </message>
    <message>
        <source>LLMLingua-2</source>
        <translation>LLMLingua-2</translation>
    </message>
    <message>
        <source>Token classification (LLMLingua-2): keeps the words a BERT/XLM-R tagger gives the highest keep probability.</source>
        <translation>词元分类（LLMLingua-2）：保留 BERT/XLM-R 标注器给出最高保留概率的词。</translation>
    </message>
    <message>
        <source>LLMLingua</source>
        <translation>LLMLingua</translation>
    </message>
    <message>
        <source>Coarse-to-fine compression by small-LM perplexity: context ranking, budget controller and iterative token-level compression (Jiang et al., EMNLP 2023).</source>
        <translation>按小型语言模型困惑度进行由粗到细的压缩：上下文排序、预算控制器和迭代的词元级压缩（Jiang 等，EMNLP 2023）。</translation>
    </message>
    <message>
        <source>Arithmetic suffix applied to the token budget for the context filter, e.g. &quot;+100&quot; or &quot;*1.5&quot; (the paper&apos;s k). auto: &quot;*2&quot; in corrected mode when contexts are ranked by bm25 or gzip (a model-free ranking misses more answer contexts, so twice the target&apos;s worth is kept and compressed harder), &quot;+100&quot; (the reference default) otherwise.</source>
        <translation>应用于上下文过滤器词元预算的算术后缀，例如 &quot;+100&quot; 或 &quot;*1.5&quot;（论文中的 k）。auto：在修正模式下按 bm25 或 gzip 排序上下文时为 &quot;*2&quot;（无模型排序会漏掉更多含答案的上下文，因此保留两倍于目标的内容并更强地压缩），否则为 &quot;+100&quot;（参考默认值）。</translation>
    </message>
    <message>
        <source>LongLLMLingua</source>
        <translation>LongLLMLingua</translation>
    </message>
    <message>
        <source>Question-aware LLMLingua: contexts ranked by how well they predict the question, dynamic per-context ratios and contrastive perplexity (Jiang et al., ACL 2024).</source>
        <translation>关注问题的 LLMLingua：按上下文预测问题的程度排序，每个上下文动态比例，并使用对比困惑度（Jiang 等，ACL 2024）。</translation>
    </message>
    <message>
        <source>DAC</source>
        <translation>DAC</translation>
    </message>
    <message>
        <source>Fuses accumulated attention with per-token information and removes tokens in stages, re-running the model after each stage (DAC, ACL 2025).</source>
        <translation>将累积注意力与每个词元的信息融合，分阶段删除词元，每个阶段后重新运行模型（DAC，ACL 2025）。</translation>
    </message>
    <message>
        <source>PIS</source>
        <translation>PIS</translation>
    </message>
    <message>
        <source>Token weights from attention and TF-IDF, redundant sentences removed by seeded Russian roulette, per-sentence ratios from a Double-DQN agent (PIS, as defined in algorithms.md 2.2).</source>
        <translation>词元权重来自注意力和 TF-IDF，冗余句子通过固定种子的俄罗斯轮盘删除，每句比例来自 Double-DQN 智能体（PIS，定义见 algorithms.md 2.2）。</translation>
    </message>
    <message>
        <source>Entropy only (baseline)</source>
        <translation>仅熵（基线）</translation>
    </message>
    <message>
        <source>Keeps the tokens the model finds most surprising (self-information), in one pass.</source>
        <translation>一次遍历，保留模型认为最意外的词元（自信息）。</translation>
    </message>
    <message>
        <source>Attention only (baseline)</source>
        <translation>仅注意力（基线）</translation>
    </message>
    <message>
        <source>Keeps the tokens that receive the most attention, over what a token at their distances from the queries receives (per query that can see them in reference mode), in one pass.</source>
        <translation>一次遍历，保留获得最多注意力的词元，相对于与查询同样距离的词元所获得的注意力（参考模式下按能看到它们的每个查询计算）。</translation>
    </message>
</context>
<context>
    <name>terse::widgets::AttentionPlot</name>
    <message>
        <source>attention</source>
        <translation>注意力</translation>
    </message>
</context>
<context>
    <name>terse::widgets::ColorLegend</name>
    <message>
        <source>Colour legend</source>
        <translation>颜色图例</translation>
    </message>
    <message>
        <source>Background colour: %1 from %2 (pale) to %3 (strong); values outside are clamped.</source>
        <translation>背景色：%1，从 %2（浅）到 %3（深）；超出范围的值按边界显示。</translation>
    </message>
    <message>
        <source>Struck through: dropped · green underline: pinned keep · red underline: pinned drop</source>
        <translation>删除线：已删除 · 绿色下划线：固定保留 · 红色下划线：固定删除</translation>
    </message>
</context>
<context>
    <name>terse::widgets::PromptEditor</name>
    <message>
        <source>Paste a prompt here, open a .txt or .md file, or drop one on this editor.</source>
        <translation>在此粘贴提示词，打开 .txt 或 .md 文件，或将文件拖放到此编辑器。</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>提示词</translation>
    </message>
    <message>
        <source>Or start from a sample prompt:</source>
        <translation>或从示例提示词开始：</translation>
    </message>
</context>
<context>
    <name>terse::widgets::ScoreHistogram</name>
    <message>
        <source>tokens</source>
        <translation>词元</translation>
    </message>
    <message>
        <source>dropped</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>kept</source>
        <translation>保留</translation>
    </message>
</context>
<context>
    <name>terse::widgets::ScorePlot</name>
    <message>
        <source>token</source>
        <translation>词元</translation>
    </message>
    <message>
        <source>kept</source>
        <translation>保留</translation>
    </message>
    <message>
        <source>threshold</source>
        <translation>阈值</translation>
    </message>
    <message numerus="yes">
        <source>%n value(s) above the axis (up to %1)</source>
        <translation>
            <numerusform>%n 个值超出坐标轴（最高 %1）</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>terse::widgets::StageScrubber</name>
    <message>
        <source>Stages:</source>
        <translation>阶段：</translation>
    </message>
    <message>
        <source>Previous stage</source>
        <translation>上一阶段</translation>
    </message>
    <message>
        <source>Next stage</source>
        <translation>下一阶段</translation>
    </message>
    <message>
        <source>Replay the method stage by stage: the view shows what was removed up to this stage.</source>
        <translation>逐阶段回放该方法：视图显示到此阶段为止删除了哪些内容。</translation>
    </message>
    <message>
        <source>final result</source>
        <translation>最终结果</translation>
    </message>
    <message>
        <source>%1 (%2 of %3)</source>
        <translation>%1（第 %2 个，共 %3 个）</translation>
    </message>
    <message>
        <source>%1 of %2 stages done, running…</source>
        <translation>已完成 %2 个阶段中的 %1 个，运行中…</translation>
    </message>
</context>
<context>
    <name>terse::widgets::StructuredPromptEditor</name>
    <message>
        <source>&lt;b&gt;Instruction&lt;/b&gt; (kept verbatim by the LLMLingua family)</source>
        <translation>&lt;b&gt;指令&lt;/b&gt;（LLMLingua 系列方法原样保留）</translation>
    </message>
    <message>
        <source>e.g. Answer the question using the passages below.</source>
        <translation>例如：请根据下面的段落回答问题。</translation>
    </message>
    <message>
        <source>&lt;b&gt;Contexts&lt;/b&gt; (passages or demonstrations; these are compressed)</source>
        <translation>&lt;b&gt;上下文&lt;/b&gt;（段落或示例；这些内容会被压缩）</translation>
    </message>
    <message>
        <source>&amp;Add Context</source>
        <translation>添加上下文(&amp;A)</translation>
    </message>
    <message>
        <source>Add another context or demonstration</source>
        <translation>再添加一个上下文或示例</translation>
    </message>
    <message>
        <source>&lt;b&gt;Question&lt;/b&gt; (kept verbatim; LongLLMLingua ranks contexts by it)</source>
        <translation>&lt;b&gt;问题&lt;/b&gt;（原样保留；LongLLMLingua 据此对上下文排序）</translation>
    </message>
    <message>
        <source>e.g. Which ship arrives first?</source>
        <translation>例如：哪艘船最先到达？</translation>
    </message>
    <message>
        <source>A retrieved passage or a demonstration.</source>
        <translation>检索到的段落或一个示例。</translation>
    </message>
    <message>
        <source>Remove this context</source>
        <translation>删除此上下文</translation>
    </message>
    <message>
        <source>Context %1</source>
        <translation>上下文 %1</translation>
    </message>
</context>
<context>
    <name>terse::widgets::TokenHeatmapView</name>
    <message>
        <source>Compressed prompt</source>
        <translation>压缩后的提示词</translation>
    </message>
    <message>
        <source>

… %1 more tokens not shown (the view shows the first %2).</source>
        <translation>

… 另有 %1 个词元未显示（视图仅显示前 %2 个）。</translation>
    </message>
    <message>
        <source>kept</source>
        <translation>保留</translation>
    </message>
    <message>
        <source>dropped</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>forced</source>
        <translation>强制</translation>
    </message>
    <message>
        <source>pinned: keep</source>
        <translation>已固定：保留</translation>
    </message>
    <message>
        <source>pinned: drop</source>
        <translation>已固定：删除</translation>
    </message>
</context>
<context>
    <name>terse::widgets::WordDiffView</name>
    <message>
        <source>Compressed output compared with the original</source>
        <translation>与原文对比的压缩输出</translation>
    </message>
    <message>
        <source>

… %1 more words not shown (the view shows the first %2).</source>
        <translation>

… 还有 %1 个单词未显示（视图只显示前 %2 个）。</translation>
    </message>
</context>
</TS>
