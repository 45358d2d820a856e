"""Help menu: About (with the version) and a short user guide with the keyboard shortcuts."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox, QTextBrowser, QVBoxLayout, QWidget

from gui.i18n import language, tr

_GUIDE = {
    "zh": """
<h3>使用步骤</h3>
<ol>
<li><b>新建项目</b>（Ctrl+N）：一个店铺一个项目文件。</li>
<li><b>导入评论表格</b>（Ctrl+I，或把文件拖进窗口）：核对识别出的列，点“开始分析”。</li>
<li><b>概览</b>：点击任意数字、柱条或趋势点，查看对应的评论。</li>
<li><b>评论</b>：搜索和筛选；每个生效的筛选都显示为可移除的标签，“清除筛选”全部移除。点列标题排序。</li>
<li><b>标注</b>：纠正模型判断，攒够标注后用“训练模型”（Ctrl+T）重新训练。</li>
<li><b>导出 Excel 报告</b>（Ctrl+E）：默认隐藏手机号、地址等个人信息。</li>
</ol>
<h3>快捷键</h3>
<table cellpadding="3">
<tr><td>Ctrl+N / Ctrl+O</td><td>新建 / 打开项目</td></tr>
<tr><td>Ctrl+I</td><td>导入评论表格</td></tr>
<tr><td>Ctrl+E</td><td>导出 Excel 报告</td></tr>
<tr><td>Ctrl+T</td><td>训练模型</td></tr>
<tr><td>F1</td><td>本说明</td></tr>
<tr><td>Ctrl+Q</td><td>退出</td></tr>
<tr><td colspan="2"><b>标注页</b></td></tr>
<tr><td>1–9</td><td>选择第 n 个标签（方面情感：1 负面、2 中性、3 正面）</td></tr>
<tr><td>← / →</td><td>上一条 / 下一条（方面情感：上一个 / 下一个方面）</td></tr>
<tr><td>↑ / ↓</td><td>方面情感：上一条 / 下一条评论</td></tr>
<tr><td>Z / S / ?</td><td>撤销 / 跳过 / 显示快捷键</td></tr>
</table>
<p>所有分析都在这台电脑上完成，数据不会上传。</p>
""",
    "en": """
<h3>Getting started</h3>
<ol>
<li><b>New project</b> (Ctrl+N): one project file per shop.</li>
<li><b>Import reviews</b> (Ctrl+I, or drop a spreadsheet onto the window): check the detected columns, press Analyse.</li>
<li><b>Dashboard</b>: click any figure, bar or trend point to see the reviews behind it.</li>
<li><b>Reviews</b>: search and filter; every active filter shows as a chip you can remove, Clear filters removes
them all. Click a column header to sort.</li>
<li><b>Labelling</b>: correct the model; with enough labels, Train a model (Ctrl+T).</li>
<li><b>Export Excel report</b> (Ctrl+E): personal data (phones, addresses...) is masked by default.</li>
</ol>
<h3>Keyboard shortcuts</h3>
<table cellpadding="3">
<tr><td>Ctrl+N / Ctrl+O</td><td>New / open project</td></tr>
<tr><td>Ctrl+I</td><td>Import reviews</td></tr>
<tr><td>Ctrl+E</td><td>Export Excel report</td></tr>
<tr><td>Ctrl+T</td><td>Train a model</td></tr>
<tr><td>F1</td><td>This guide</td></tr>
<tr><td>Ctrl+Q</td><td>Quit</td></tr>
<tr><td colspan="2"><b>Labelling page</b></td></tr>
<tr><td>1–9</td><td>Choose the n-th label (aspect polarity: 1 negative, 2 neutral, 3 positive)</td></tr>
<tr><td>← / →</td><td>Previous / next review (aspect polarity: previous / next aspect)</td></tr>
<tr><td>↑ / ↓</td><td>Aspect polarity: previous / next review</td></tr>
<tr><td>Z / S / ?</td><td>Undo / skip / show the shortcuts</td></tr>
</table>
<p>All analysis runs on this computer; no data is uploaded.</p>
""",
}


def guide_html() -> str:
    return _GUIDE["zh" if language() == "zh" else "en"]


class GuideDialog(QDialog):
    """Help › User guide: the steps and every keyboard shortcut, in the interface language."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("user_guide").replace("…", ""))
        self.setObjectName("guide_dialog")
        self.resize(620, 560)
        layout = QVBoxLayout(self)
        self.text = QTextBrowser()
        self.text.setObjectName("guide_text")
        self.text.setHtml(guide_html())
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def about_box(parent: QWidget | None) -> QMessageBox:
    """About, with the version (non-blocking)."""
    from core import __version__

    box = QMessageBox(QMessageBox.Icon.Information, tr("about"), tr("about_text", v=__version__), parent=parent)
    box.setObjectName("about_box")
    box.open()
    return box
