-- Labelled statements in the style of Chinese HIS vendors (Oracle, SQL Server). Each starts
-- with a line `-- @tongfang` or `-- @innocent` and a note; it runs to the next label.
-- @tongfang B-Soft outpatient classic
select a.ysdm, b.ypxh, sum(b.ypsl * b.ypdj) je from ms_cf01 a, ms_cf02 b where a.cfsb = b.cfsb and a.kfrq >= trunc(sysdate,'MM') group by a.ysdm, b.ypxh
-- @innocent B-Soft department drug amount
select a.ksdm, b.ypxh, sum(b.ypsl * b.ypdj) je from ms_cf01 a, ms_cf02 b where a.cfsb = b.cfsb group by a.ksdm, b.ypxh
-- @tongfang upper-case initials, joined names
SELECT G.YGXM, T.YPMC, SUM(B.YPSL) SL FROM MS_CF01 A, MS_CF02 B, GY_YGDM G, YK_TYPK T
 WHERE A.CFSB = B.CFSB AND G.YGDM = A.YSDM AND T.YPXH = B.YPXH AND A.KFRQ BETWEEN :1 AND :2
 GROUP BY G.YGXM, T.YPMC
-- @innocent doctor names with their prescription counts (workload)
SELECT G.YGXM, COUNT(DISTINCT A.CFSB) FROM MS_CF01 A, GY_YGDM G WHERE G.YGDM = A.YSDM GROUP BY G.YGXM
-- @tongfang ANSI joins to dictionary tables, generic column names
select y.xm, p.mc, sum(m.sl) from cfmx m join gy_ygdm y on y.ygdm = m.czr join yk_ypcdjg p on p.ypcd = m.xmdm group by y.xm, p.mc
-- @innocent drug dictionary list
select p.ypcd, p.mc, p.gg, p.dw from yk_ypcdjg p where p.zfbz = 0 order by p.mc
-- @tongfang Oracle KFYSDM with date filter and HAVING
SELECT KFYSDM, YPDM, COUNT(*) FROM ZY_BQYZ WHERE KZSJ > SYSDATE - 30 GROUP BY KFYSDM, YPDM HAVING COUNT(*) > 20
-- @innocent ward orders count
SELECT BQDM, COUNT(*) FROM ZY_BQYZ WHERE KZSJ > SYSDATE - 30 GROUP BY BQDM
-- @tongfang Oracle analytic: top 3 prescribers per drug
select * from (select ypdm, kdys, sum(sl) sl, row_number() over (partition by ypdm order by sum(sl) desc) rn from mz_cfmx group by ypdm, kdys) where rn <= 3
-- @innocent Oracle analytic: top drugs per department
select * from (select ksdm, ypdm, sum(sl) sl, row_number() over (partition by ksdm order by sum(sl) desc) rn from mz_cfmx group by ksdm, ypdm) where rn <= 10
-- @tongfang pinyin words
select yisheng, yaopin, sum(shuliang) from menzhen_chufang group by yisheng, yaopin
-- @innocent pinyin words: patients per day
select riqi, count(distinct bingren) from menzhen_chufang group by riqi
-- @tongfang doctor fixed by bind variable, per drug
SELECT YPXH, SUM(YPSL) FROM MS_CF02 WHERE YSDM = :YSDM AND KFRQ >= :KSRQ GROUP BY YPXH
-- @innocent 处方点评 sample: random 100 prescriptions of a month
SELECT * FROM (SELECT CFSB, YSDM, KFRQ FROM MS_CF01 WHERE KFRQ >= DATE '2026-02-01' ORDER BY DBMS_RANDOM.VALUE) WHERE ROWNUM <= 100
-- @tongfang CUBE over doctor and drug
SELECT JZYS, YPBH, SUM(JE) FROM MZ_FYMX GROUP BY CUBE (JZYS, YPBH)
-- @innocent CUBE over department and charge class
SELECT KSDM, FYLB, SUM(JE) FROM MZ_FYMX GROUP BY CUBE (KSDM, FYLB)
-- @tongfang SQL Server Winning style
SELECT a.ysdm, b.ypdm, SUM(b.sl) AS sl FROM dbo.mz_cf a WITH (NOLOCK) INNER JOIN dbo.mz_cfmx b WITH (NOLOCK) ON a.cfh = b.cfh WHERE a.rq >= '20260201' GROUP BY a.ysdm, b.ypdm
-- @innocent SQL Server: daily outpatient visits
SELECT CONVERT(varchar(10), a.rq, 120) rq, COUNT(*) FROM dbo.mz_cf a WITH (NOLOCK) GROUP BY CONVERT(varchar(10), a.rq, 120)
-- @tongfang SQL Server temp table then group
SELECT kdys, ypmc, SUM(sl) sl INTO #tmp FROM dbo.v_mzcf WHERE rq BETWEEN @ks AND @js GROUP BY kdys, ypmc
-- @innocent SQL Server: stock below limit
SELECT ypdm, ypmc, kcsl, xxsl FROM dbo.yk_kc WHERE kcsl < xxsl
-- @tongfang SQL Server Chinese aliases on generic columns
SELECT a.c_ys AS 医生工号, a.c_yp AS 药品编码, SUM(a.n_sl) AS 数量 FROM dbo.t_rx a GROUP BY a.c_ys, a.c_yp
-- @innocent SQL Server Chinese aliases: department amount
SELECT a.c_ks AS 科室, SUM(a.n_je) AS 金额 FROM dbo.t_rx a GROUP BY a.c_ks
-- @tongfang Neusoft inpatient order by doctor and drug
SELECT D.DOC_CODE, D.DRUG_CODE, SUM(D.QTY_TOT) FROM MET_IPM_ORDER D WHERE D.MO_DATE >= TRUNC(SYSDATE) - 30 GROUP BY D.DOC_CODE, D.DRUG_CODE
-- @innocent Neusoft inpatient: orders per nurse station
SELECT D.NURSE_CELL_CODE, COUNT(*) FROM MET_IPM_ORDER D GROUP BY D.NURSE_CELL_CODE
-- @tongfang Neusoft: doctors of one drug, via dictionary join
SELECT E.EMPL_NAME, SUM(F.QTY) FROM FIN_IPB_MEDICINELIST F JOIN COM_EMPLOYEE E ON E.EMPL_CODE = F.RECIPE_DOCCODE WHERE F.DRUG_CODE = 'Y000123' GROUP BY E.EMPL_NAME
-- @innocent Neusoft: employees of a department
SELECT E.EMPL_CODE, E.EMPL_NAME FROM COM_EMPLOYEE E WHERE E.DEPT_CODE = '0301'
-- @tongfang union of per-drug doctor lists (rep portfolio)
SELECT 'A' item, KDYS, COUNT(*) FROM MZ_CFMX WHERE YPDM = '1001' GROUP BY KDYS
UNION
SELECT 'B' item, KDYS, COUNT(*) FROM MZ_CFMX WHERE YPDM = '1002' GROUP BY KDYS
UNION
SELECT 'C' item, KDYS, COUNT(*) FROM MZ_CFMX WHERE YPDM = '1003' GROUP BY KDYS
-- @innocent union of per-department totals
SELECT 'MZ' src, KSDM, SUM(JE) FROM MZ_FYMX GROUP BY KSDM UNION ALL SELECT 'ZY' src, KSDM, SUM(JE) FROM ZY_FYMX GROUP BY KSDM
-- @tongfang drug list in IN, grouped by doctor
select cfys, sum(ypsl) from ms_cf02 where ypxh in ('Y0101','Y0102','Y0103') group by cfys
-- @innocent drug list in IN, grouped by department
select ksdm, sum(ypsl) from ms_cf02 where ypxh in ('Y0101','Y0102','Y0103') group by ksdm
-- @tongfang English, SQL Server
SELECT physician_code, med_code, SUM(qty) FROM dbo.outpatient_rx_lines WHERE rx_date >= '2026-01-01' GROUP BY physician_code, med_code
-- @innocent English: physician list with departments
SELECT physician_code, physician_name, dept_code FROM dbo.physicians WHERE active = 1
-- @tongfang item_code in a drug table, staff_id joined to staff
SELECT s.staff_id, di.item_code, COUNT(*) FROM orders o JOIN staff s ON s.staff_id = o.ordered_by JOIN drug_items di ON di.item_code = o.item_code GROUP BY s.staff_id, di.item_code
-- @innocent item_code of lab items by department
SELECT o.dept_id, li.item_code, COUNT(*) FROM orders o JOIN lab_items li ON li.item_code = o.item_code GROUP BY o.dept_id, li.item_code
-- @tongfang Oracle comments, quotes and nested parens
select /*+ parallel(4) */ "YSDM", "YPXH", sum(("YPSL")) -- monthly
from "MS_CF02" where ("KFRQ" >= to_date('2026-02-01', 'yyyy-mm-dd')) group by "YSDM", "YPXH"
-- @innocent comment mentions group by ysdm, ypxh
select count(*) from ms_cf02 /* group by ysdm, ypxh */ where kfrq >= sysdate - 1
-- @tongfang string literal holding SQL is ignored, the real one counts
select zrys, ypid, count(*) from zy_yz where bz <> 'group by x' group by zrys, ypid
-- @innocent the statement is in a literal
insert into sql_log(txt) values ('select ysdm, ypxh from ms_cf02 group by ysdm, ypxh')
-- @tongfang SQL Server PIVOT on drug codes
SELECT * FROM (SELECT ysgh, ypdm, sl FROM dbo.mz_cfmx) s PIVOT (SUM(sl) FOR ypdm IN ([Y001], [Y002], [Y003])) p
-- @innocent SQL Server PIVOT of charge classes by department
SELECT * FROM (SELECT ksdm, fylb, je FROM dbo.mz_fymx) s PIVOT (SUM(je) FOR fylb IN ([西药], [检查], [化验])) p
-- @tongfang Oracle DECODE pivot per doctor
select kdys, sum(decode(ypdm, 'Y001', sl, 0)) a, sum(decode(ypdm, 'Y002', sl, 0)) b from mz_cfmx group by kdys
-- @innocent DECODE by visit type per department
select ksdm, sum(decode(jzlx, 1, 1, 0)) mz, sum(decode(jzlx, 2, 1, 0)) jz from mz_gh group by ksdm
-- @tongfang both fixed with an aggregate: one doctor's figure for one drug
SELECT SUM(YPSL) FROM MS_CF02 WHERE YSDM = 'D017' AND YPXH = 'Y0123' AND KFRQ >= DATE '2026-02-01'
-- @innocent both fixed, no aggregate: one prescription line lookup
SELECT CFSB, YPSL, YPDJ FROM MS_CF02 WHERE YSDM = 'D017' AND YPXH = 'Y0123' AND CFSB = 991
-- @tongfang KDYS with table alias and ORDER BY alias
SELECT c.KDYS, c.YPMC, SUM(c.JE) total FROM HIS.V_MZCF c GROUP BY c.KDYS, c.YPMC ORDER BY total DESC
-- @innocent drug names only
SELECT DISTINCT c.YPMC FROM HIS.V_MZCF c ORDER BY 1
-- @tongfang sqlplus spool style with line continuation
SELECT YSXM,
       YPMC,
       SUM(SL)
  FROM V_CFTJ
 GROUP BY YSXM,
          YPMC;
-- @innocent per doctor title counts
SELECT ZC, COUNT(*) FROM GY_YGDM GROUP BY ZC;
-- @tongfang attending doctor on inpatient charges
select zy.attending_doctor, mx.drug_code, sum(mx.charges) from inp_bill_detail mx join pats_in_hospital zy on zy.patient_id = mx.patient_id group by zy.attending_doctor, mx.drug_code
-- @innocent inpatient charges by ward and class
select zy.ward_code, mx.item_class, sum(mx.charges) from inp_bill_detail mx join pats_in_hospital zy on zy.patient_id = mx.patient_id group by zy.ward_code, mx.item_class
-- @tongfang partition by doctor and drug in a window sum
select distinct cf.ysdm, cf.ypxh, sum(cf.ypsl) over (partition by cf.ysdm, cf.ypxh) as tot from ms_cf02 cf
-- @innocent window: running total per day
select kfrq, je, sum(je) over (order by kfrq) from mz_rb
-- @tongfang DB2-ish quoted lower names
SELECT "prescriber", "drug", COUNT(*) FROM "his"."rx" GROUP BY "prescriber", "drug"
-- @innocent DBA: sessions by program
SELECT program, COUNT(*) FROM v$session GROUP BY program
-- @tongfang Oracle with CTE and join to drug dictionary by code
with t as (select kfys, ypdm, sum(sl) sl from mz_cfmx where kfrq >= date '2026-01-01' group by kfys, ypdm)
select t.kfys, d.ypmc, t.sl from t join gy_ypzd d on d.ypdm = t.ypdm order by t.sl desc
-- @innocent CTE: drugs prescribed more than last month
with cur as (select ypdm, sum(sl) sl from mz_cfmx where kfrq >= date '2026-02-01' group by ypdm),
     prev as (select ypdm, sum(sl) sl from mz_cfmx where kfrq >= date '2026-01-01' and kfrq < date '2026-02-01' group by ypdm)
select cur.ypdm, cur.sl, prev.sl from cur join prev on prev.ypdm = cur.ypdm where cur.sl > prev.sl * 1.3
-- @tongfang MERGE into a report table of doctor x drug
MERGE INTO rpt_ys_yp r USING (SELECT ysdm, ypxh, SUM(ypsl) sl FROM ms_cf02 GROUP BY ysdm, ypxh) s ON (r.ysdm = s.ysdm AND r.ypxh = s.ypxh) WHEN MATCHED THEN UPDATE SET r.sl = s.sl WHEN NOT MATCHED THEN INSERT (ysdm, ypxh, sl) VALUES (s.ysdm, s.ypxh, s.sl)
-- @innocent MERGE of stock balances
MERGE INTO yk_kc k USING (SELECT ypdm, SUM(rksl) sl FROM yk_rk GROUP BY ypdm) s ON (k.ypdm = s.ypdm) WHEN MATCHED THEN UPDATE SET k.kcsl = k.kcsl + s.sl
-- @tongfang create table as select
create table tmp_tf as select ysgh, ypbm, count(*) cnt from zy_yzmx group by ysgh, ypbm
-- @innocent create index
create index idx_cf02_ypxh on ms_cf02(ypxh, ysdm)
-- @tongfang MySQL-style on Oracle-named columns: per drug, doctor pinned in HAVING
select ypxh, sum(ypsl) from ms_cf02 group by ysdm, ypxh having ysdm = 'D017'
-- @innocent per drug with amount threshold
select ypxh, sum(ypsl) from ms_cf02 group by ypxh having sum(ypsl) > 1000
