/**
 * The inspector's CSS. Text colours pass WCAG AA (4.5:1) on their
 * backgrounds; a state is never told by colour alone (each has a word too).
 */
export const INSPECTOR_STYLE = `
*{box-sizing:border-box}
html,body{margin:0;height:100%}
body{font:14px/1.45 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;color:#1a1a1a;background:#fff;display:flex;flex-direction:column}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.bar{display:flex;align-items:center;gap:12px;padding:8px 12px;background:#1f2d24;color:#fff;border-bottom:3px solid #07c160;flex-wrap:wrap}
.bar h1{font-size:16px;margin:0}
.bar a{color:#fff}
.bar nav{display:flex;gap:12px;flex:1}
.conn{font-size:13px}
.conn.down{background:#fff4e0;color:#8a5300;padding:2px 8px;border-radius:3px}
button,select,input{font:inherit}
button{background:#067a3c;color:#fff;border:1px solid #067a3c;padding:5px 12px;border-radius:4px;cursor:pointer}
button.ghost{background:transparent;border-color:#fff;color:#fff}
button.secondary{background:#fff;color:#1a1a1a;border-color:#767676}
button:disabled{opacity:.7;cursor:default}
:focus-visible{outline:3px solid #1f4fa3;outline-offset:2px}
.bar :focus-visible{outline-color:#fff}
.tools{display:flex;gap:10px;align-items:flex-end;padding:8px 12px;border-bottom:1px solid #ddd;flex-wrap:wrap}
.tools label{display:flex;flex-direction:column;font-size:12px;color:#595959}
.tools .grow{flex:1;min-width:180px}
.tools input,.tools select{padding:5px 6px;border:1px solid #767676;border-radius:4px;color:#1a1a1a;background:#fff}
.muted{color:#595959}
.pad{padding:12px}
main{flex:1;display:flex;min-height:0}
#side{width:58%;overflow:auto;border-right:1px solid #ddd}
#detail{flex:1;overflow:auto;padding:12px 16px}
table{border-collapse:collapse;width:100%;table-layout:fixed}
th{position:sticky;top:0;background:#f3f3f3;text-align:left;font-size:12px;font-weight:600;padding:6px 8px;border-bottom:1px solid #ddd}
th:nth-child(1){width:88px}th:nth-child(2){width:118px}th:nth-child(5){width:72px}th:nth-child(6){width:88px}
td{font-variant-numeric:tabular-nums;padding:6px 8px;border-bottom:1px solid #eee;vertical-align:top;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
td.num,th.num{text-align:right}
tbody tr{cursor:pointer}
tbody tr:hover{background:#f5faf7}
tbody tr[aria-selected=true]{background:#e3f4ea;box-shadow:inset 4px 0 #067a3c}
tbody tr:focus-visible{outline:3px solid #1f4fa3;outline-offset:-3px}
.tag{display:inline-block;font-size:11px;font-weight:600;padding:0 5px;border-radius:3px;margin-right:4px;border:1px solid currentColor}
tr.rejected td,tr.error td{color:#b3261e}
tr.rejected{background:#fdecea}
tr.late .t-late,.t-late{color:#8a5300}
tr.replayed .t-replayed,.t-replayed{color:#1f4fa3}
tr.gone td{color:#595959;font-style:italic}
.t-rejected,.t-error{color:#b3261e}
h2.d{font-size:16px;margin:0 0 4px}
h3{margin:16px 0 6px;font-size:13px;color:#333}
pre{background:#f6f6f6;padding:8px;white-space:pre-wrap;word-break:break-all;font:12px/1.45 ui-monospace,Menlo,Consolas,monospace;margin:0}
.verdict{padding:8px 10px;border-radius:4px;margin:8px 0;background:#eef9f1;color:#10381f}
.verdict.bad{background:#fdecea;color:#8c1d18}
.verdict .phone{font-weight:600}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}
dl.kv dt{color:#595959}dl.kv dd{margin:0;word-break:break-all}
details{margin:8px 0;border:1px solid #e3e3e3;border-radius:4px;padding:4px 8px}
summary{cursor:pointer;font-weight:600;padding:4px 0}
.actions{display:flex;gap:8px;flex-wrap:wrap;margin:12px 0}
form input#edit-text{width:100%;padding:5px 6px;border:1px solid #767676;border-radius:4px;margin:4px 0 8px}
textarea{width:100%;min-height:140px;font:12px/1.45 ui-monospace,Menlo,Consolas,monospace;border:1px solid #767676;border-radius:4px;padding:6px}
a{color:#1f4fa3}
#back{display:none}
@media (max-width:800px){
  main{flex-direction:column}
  #side{width:100%;border-right:0}
  #detail{display:none}
  body.open #side{display:none}
  body.open #detail{display:block}
  #back{display:inline-block;margin-bottom:8px}
  body.open .tools{display:none}
  .tools{gap:6px}
  .tools .grow{flex-basis:100%}
  .bar nav{flex-basis:auto}
  th:nth-child(1){width:80px}
  td,th{padding:6px 4px}
  th:nth-child(5),td:nth-child(5),th:nth-child(6),td:nth-child(6){display:none}
  th:nth-child(2){width:88px}
}
`;
