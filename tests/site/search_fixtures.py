"""Posts, a search page and a local server for the search tests.

The posts are written for these tests: some contain 卷积/卷积神经网络/注意力/梯度/损失函数/AdamW/
Transformer/softmax/anchor-free, others only near misses (卷 and 积 apart, "convolution",
"attention" in English), so each query has a known set of posts that contain it.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from html import escape
from pathlib import Path

from transmit.site.search import SearchRecord, build_search_index

STATIC = Path(__file__).parents[2] / "src/transmit/themes/transmission/static"
SCRIPTS = tuple(sorted(p.name for p in STATIC.glob("search*.js")))


def _post(
    slug: str,
    title: str,
    text: str,
    category: str,
    tags: Sequence[str],
    date: str,
    language: str = "zh-CN",
    base: str = "/notes/",
) -> SearchRecord:
    return SearchRecord(
        url=f"{base}posts/{slug}/",
        title=title,
        text=text,
        category=category,
        tags=tuple(tags),
        date=date,
        language=language,
    )


POSTS: tuple[SearchRecord, ...] = (
    _post(
        "cnn-intro",
        "卷积神经网络入门",
        "卷积神经网络（CNN）用卷积核在图像上滑动。每一层卷积都会提取局部特征，"
        "多层卷积堆叠之后感受野变大。卷积的参数共享让模型更小。训练时用反向传播计算梯度。",
        "Deep Learning / CNN",
        ["卷积", "入门"],
        "2024-03-01",
    ),
    _post(
        "anchors",
        "目标检测中的锚框",
        "两阶段检测器依赖锚框，而 anchor-free 方法直接预测中心点。骨干网络由卷积层组成，"
        "分类分支和回归分支各有一个损失函数。",
        "Computer Vision",
        ["检测"],
        "2024-05-20",
    ),
    _post(
        "attention",
        "注意力机制详解",
        "注意力机制让模型在每一步关注输入的不同部分。Transformer 完全建立在注意力之上，"
        "打分之后经过 softmax 归一化得到注意力权重。多头注意力并行计算几组权重。",
        "Deep Learning / NLP",
        ["Transformer", "注意力"],
        "2024-06-02",
    ),
    _post(
        "attention-en",
        "Attention, read slowly",
        "Transformers replace recurrence with attention. Each query is compared with every key, "
        "and a softmax turns the scores into weights. This post stays in English on purpose.",
        "Deep Learning / NLP",
        ["reading"],
        "2024-06-10",
        language="en",
    ),
    _post(
        "optimizers",
        "优化器笔记：从 SGD 到 AdamW",
        "SGD 沿着负梯度方向更新参数。Adam 加入一阶和二阶矩估计，AdamW 把权重衰减从梯度更新里"
        "解耦出来。选择优化器时也要看损失函数的形状。",
        "Deep Learning / Optimization",
        ["优化器"],
        "2024-02-14",
    ),
    _post(
        "weight-decay",
        "Decoupled weight decay",
        "With plain L2 regularisation the penalty is scaled by the adaptive step. AdamW applies "
        "the decay directly to the weights, which is why it generalises better in practice.",
        "Deep Learning / Optimization",
        ["optimizer"],
        "2023-11-30",
        language="en",
    ),
    _post(
        "integrals",
        "积分与概率",
        "概率密度在整个空间上的积分等于一。两个独立变量的联合密度是各自密度的乘积。",
        "Math",
        ["概率"],
        "2023-09-09",
    ),
    _post(
        "essay",
        "周末随笔",
        "今天没有写代码，去公园走了很久，晚上读了几页小说。",
        "",
        [],
        "2024-08-08",
    ),
    _post(
        "fcos",
        "Anchor-free detectors",
        "FCOS and CenterNet are anchor-free: they predict objects from points instead of "
        "from predefined boxes. The backbone is still a stack of convolutions.",
        "Computer Vision",
        ["detection"],
        "2024-07-01",
        language="en",
    ),
    _post(
        "losses",
        "损失函数的选择",
        "分类任务常用交叉熵损失函数，它和 softmax 搭配时梯度形式很简洁。回归任务常用均方误差。",
        "Deep Learning",
        ["损失函数"],
        "2024-01-05",
    ),
    _post(
        "positional",
        "Transformer 中的位置编码",
        "自注意力本身不区分顺序，所以 Transformer 需要位置编码。正弦编码可以外推到更长的序列。",
        "Deep Learning / NLP",
        ["Transformer"],
        "2024-04-18",
    ),
    _post(
        "conv-arith",
        "Notes on convolution arithmetic",
        "How padding, stride and dilation change the output size of a convolution layer.",
        "Deep Learning / CNN",
        ["reading"],
        "2023-12-12",
        language="en",
    ),
    _post(
        "vanishing",
        "梯度消失与梯度爆炸",
        "网络很深时，梯度在反向传播中连乘，可能越来越小导致梯度消失，也可能越来越大导致梯度爆炸。"
        "梯度裁剪和残差连接都能缓解这个问题。",
        "Deep Learning",
        ["梯度"],
        "2024-03-15",
    ),
    _post(
        "fullwidth",
        "全角字母也能搜到",
        "有些笔记用全角字母写 ＡｄａｍＷ，搜索时应当与半角一样。",
        "Misc",
        [],
        "2023-08-01",
    ),
    _post(
        "scroll", "读书札记", "这一卷书里积累了很多笔记，慢慢整理。", "Misc", ["读书"], "2023-07-07"
    ),
    _post(
        "softmax-code",
        "Numerically stable softmax",
        "Subtract the maximum before exponentiating: torch.softmax(x - x.max(), dim=-1) "
        "gives the same result without overflow.",
        "Deep Learning",
        ["code"],
        "2024-09-01",
        language="en",
    ),
)


def fold(text: str) -> str:
    """The index's normalisation (NFKC, lower case), for the substring oracle."""
    return unicodedata.normalize("NFKC", text).lower()


def containing(records: Sequence[SearchRecord], query: str) -> set[str]:
    """URLs of the posts that contain every white-space separated part of `query`."""
    parts = fold(query).split()

    def haystack(r: SearchRecord) -> str:
        return fold("\n".join([r.title, r.category, *r.tags, r.text]))

    return {r.url for r in records if all(p in haystack(r) for p in parts)}


def search_page(base: str, lang: str = "zh-CN", localised: bool = True) -> str:
    """The markup the theme's search page provides, at `base`."""
    strings = (
        ' data-i18n-none="没有找到" data-i18n-count="找到 {n} 篇" data-i18n-count-one="找到 1 篇"'
        ' data-i18n-category="分类" data-i18n-tag="标签" data-i18n-sort="排序" data-i18n-any="全部"'
        if localised
        else ""
    )
    return f"""<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>search</title>
<meta name="transmit-base" content="{escape(base)}">
<link rel="icon" href="data:,">
<script type="module" src="{escape(base)}assets/search.js"></script>
</head>
<body>
<form role="search" action="{escape(base)}search/"{strings}>
<label for="search-input">搜索</label>
<input id="search-input" name="q" type="search">
</form>
<p id="search-status" role="status" aria-live="polite"></p>
<ol id="search-results"></ol>
</body>
</html>
"""


def write_site(
    root: Path,
    records: Sequence[SearchRecord],
    base: str,
    lang: str = "zh-CN",
    localised: bool = True,
) -> Path:
    """Index `records` and write the search page and scripts under `root` + `base`."""
    site = root / base.strip("/") if base.strip("/") else root
    (site / "search").mkdir(parents=True, exist_ok=True)
    (site / "search" / "index.html").write_text(search_page(base, lang, localised), "utf-8")
    (site / "assets").mkdir(exist_ok=True)
    for name in SCRIPTS:
        shutil.copyfile(STATIC / name, site / "assets" / name)
    build_search_index(records, site, site_language=lang)
    return site


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve `root` on 127.0.0.1 (ephemeral port) in a thread; yields the origin URL."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
