"""The HTML report's style sheet: fonts from the reader's own system, a layout that never
scrolls sideways (wide tables scroll inside their own box), readable from phone to wide screen."""

from __future__ import annotations

# Fonts the reader's system already has (nothing is downloaded): Latin first, then common
# Chinese, Korean, Devanagari and Arabic-script faces, so every language finds glyphs; an
# element that says its language puts that script's faces first (Han characters differ by
# language, and Persian reads best in a Naskh face).
_CJK = '"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","Noto Sans CJK KR","Malgun Gothic"'
FONTS = ('system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",' + _CJK + ',"Apple SD Gothic Neo",'
         '"Noto Sans Devanagari","Nirmala UI",Mangal,"Kohinoor Devanagari","Vazirmatn","Noto Naskh Arabic",'
         '"Noto Sans Arabic",Tahoma,"Geeza Pro",sans-serif')
SCRIPT_FONTS = {
    "zh": '"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei"',
    "ko": '"Noto Sans CJK KR","Source Han Sans KR","Apple SD Gothic Neo","Malgun Gothic"',
    "hi": '"Noto Sans Devanagari","Nirmala UI",Mangal,"Kohinoor Devanagari"',
    "fa": '"Vazirmatn","Noto Naskh Arabic","Noto Sans Arabic",Tahoma,"Geeza Pro"',
}

# Why each rule: the page is at most ~84rem wide and padded, so it fits any viewport; a table
# wider than that scrolls inside its .table-wrap, never the page. Numbers never break inside
# ("50.0% (22–78)" on two lines reads as two values); names wrap between words. On a wide
# screen a long name ("doctor:confirmation+patient:self_diagnosis") may break inside, so the
# table fits the page; on a phone, where no wide table fits, its box scrolls and words stay whole.
STYLE = f"""
body{{font-family:{FONTS};margin:0 auto;padding:1.5rem clamp(0.75rem,3vw,2.5rem);max-width:84rem;color:#222;
line-height:1.45;overflow-wrap:break-word;-webkit-text-size-adjust:100%}}
*,*::before,*::after{{box-sizing:border-box}}
h1{{font-size:1.6rem;margin:0 0 1rem}}h2{{font-size:1.15rem;margin:2rem 0 0.5rem}}
.table-wrap{{overflow-x:auto;max-width:100%;margin:0 0 1.25rem}}
table{{border-collapse:collapse;font-size:0.9rem;font-variant-numeric:tabular-nums}}
th,td{{border:1px solid #ccc;padding:0.3rem 0.6rem;text-align:right;vertical-align:top}}
th{{background:#f3f4f6;vertical-align:bottom}}td{{white-space:nowrap}}
th.text,td.text,td[dir=auto]{{text-align:start}}
td.text,td[dir=auto]{{white-space:normal;min-width:12rem;max-width:26rem;overflow-wrap:break-word}}
td.key{{font-weight:700;text-align:center}}
tbody tr:nth-child(even){{background:#fafafa}}
img{{max-width:100%;height:auto;display:block}}
figure{{margin:0.5rem 0 1.5rem}}figcaption,.note{{color:#555;font-size:0.9rem}}
li[dir=auto]{{text-align:start}}ul.note{{padding-left:1.25rem}}
summary{{font-weight:600;cursor:pointer;margin:0.5rem 0}}
a{{color:#1a56a8}}nav{{margin:0 0 1rem}}.runs-of-case{{color:#555;font-size:0.85em}}
@media (min-width:40rem){{td.text,td[dir=auto]{{overflow-wrap:anywhere}}}}
@media (max-width:40rem){{body{{padding:1rem 0.75rem}}h1{{font-size:1.3rem}}table{{font-size:0.8rem}}
td.text,td[dir=auto]{{min-width:8rem}}}}
""" + "".join(f":lang({code}){{font-family:{fonts},{FONTS}}}\n" for code, fonts in SCRIPT_FONTS.items())
