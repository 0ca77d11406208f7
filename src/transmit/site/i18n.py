"""The theme's interface strings in Chinese and English, chosen by the site's `language`."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "home": "Home",
        "latest": "LATEST UPDATES",
        "read_more": "Read more",
        "previous": "Previous",
        "next": "Next",
        "page": "Page",
        "pagination": "Pagination",
        "skip": "Skip to content",
        "minutes": "{n} min read",
        "words": "{n} words",
        "updated": "Updated",
        "no_posts": "Nothing here yet.",
        "not_found": "Page not found",
        "not_found_text": "This address has no page. Try the home page.",
        "posted": "Posted",
        "category": "Category",
        "tags": "Tags",
    },
    "zh": {
        "home": "首页",
        "latest": "LATEST UPDATES",
        "read_more": "阅读全文",
        "previous": "上一页",
        "next": "下一页",
        "page": "第 {n} 页",
        "pagination": "分页",
        "skip": "跳到正文",
        "minutes": "约 {n} 分钟",
        "words": "{n} 字",
        "updated": "更新于",
        "no_posts": "这里还没有文章。",
        "not_found": "页面不存在",
        "not_found_text": "这个地址没有页面，回首页看看吧。",
        "posted": "发布于",
        "category": "分类",
        "tags": "标签",
    },
}


def strings_for(language: str) -> dict[str, str]:
    return STRINGS["zh" if language.lower().startswith("zh") else "en"]
