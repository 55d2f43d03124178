-- Held-out statements: written before the analyser, never used to tune it. Each statement
-- starts with a line `-- @tongfang` or `-- @innocent` and a note; it runs to the next label.
-- @tongfang Neusoft outpatient: recipe doctor x drug, monthly
SELECT T.RECIPE_DOCCODE, T.DRUG_CODE, T.TRADE_NAME, SUM(T.QTY) AS QTY, SUM(T.TOT_COST) AS COST
  FROM FIN_OPB_FEEDETAIL T
 WHERE T.FEE_DATE >= TO_DATE('2026-02-01','YYYY-MM-DD') AND T.FEE_DATE < TO_DATE('2026-03-01','YYYY-MM-DD')
   AND T.DRUG_FLAG = '1'
 GROUP BY T.RECIPE_DOCCODE, T.DRUG_CODE, T.TRADE_NAME
-- @innocent Neusoft: department drug consumption for the pharmacy monthly report
SELECT T.DEPT_CODE, T.DRUG_CODE, SUM(T.QTY) QTY FROM FIN_OPB_FEEDETAIL T
 WHERE T.FEE_DATE BETWEEN :B1 AND :B2 GROUP BY T.DEPT_CODE, T.DRUG_CODE ORDER BY 3 DESC
-- @tongfang DHC Cache SQL: order item doctor and item master
SELECT OEORI_Doctor_DR->CTPCP_Desc AS 医生, OEORI_ItmMast_DR->ARCIM_Desc AS 药品, COUNT(*) AS 条数
FROM SQLUser.OE_OrdItem
WHERE OEORI_SttDat >= '2026-02-01'
GROUP BY OEORI_Doctor_DR, OEORI_ItmMast_DR
-- @innocent DHC: orders per doctor (workload), no drug
SELECT OEORI_Doctor_DR, COUNT(*) FROM SQLUser.OE_OrdItem WHERE OEORI_SttDat = CURRENT_DATE GROUP BY OEORI_Doctor_DR
-- @tongfang SQL Server, Chinese identifiers in brackets
SELECT [开单医生], [药品名称], SUM([数量]) AS [总量], SUM([金额]) AS [总金额]
FROM [dbo].[门诊处方明细]
WHERE [开方日期] >= '2026-01-01'
GROUP BY [开单医生], [药品名称]
ORDER BY [总金额] DESC
-- @innocent SQL Server: top 50 drugs by amount, no prescriber
SELECT TOP 50 [药品编码], [药品名称], SUM([金额]) AS je FROM [dbo].[门诊处方明细]
WHERE [开方日期] >= '2026-01-01' GROUP BY [药品编码], [药品名称] ORDER BY je DESC
-- @tongfang one drug, per prescriber: the rep asks for his product only
select c.kdys_bm, count(1) zs, sum(c.sl) sl
from mz_cfmx c
where c.yp_bm = 'Y00231' and c.kfsj between date '2026-02-01' and date '2026-02-28'
group by c.kdys_bm
-- @innocent 处方点评: sample prescriptions of one doctor, no aggregation
select c.cfh, c.kfsj, c.yp_bm, c.sl, c.je from mz_cfmx c where c.kdys_bm = '1043' and c.kfsj >= date '2026-02-01' order by c.kfsj
-- @tongfang MySQL, English naming, joined dictionaries
SELECT p.`name` AS physician, d.`generic_name`, SUM(o.`quantity`) AS qty
FROM `rx_order_item` o
JOIN `physician` p ON p.`id` = o.`physician_id`
JOIN `drug_catalog` d ON d.`id` = o.`drug_id`
WHERE o.`created_at` >= '2026-02-01'
GROUP BY p.`name`, d.`generic_name`
-- @innocent MySQL: stock by drug and warehouse
SELECT s.`warehouse_id`, s.`drug_id`, SUM(s.`on_hand`) FROM `drug_stock` s GROUP BY s.`warehouse_id`, s.`drug_id`
-- @tongfang PostgreSQL CTE, prescriber ranking per product
WITH usage AS (
  SELECT li.prescriber_code, li.product_code, sum(li.dispensed_qty) AS qty
  FROM pharmacy.rx_line li
  WHERE li.dispensed_on >= now() - interval '90 days'
  GROUP BY li.prescriber_code, li.product_code
)
SELECT product_code, prescriber_code, qty, rank() OVER (PARTITION BY product_code ORDER BY qty DESC) AS rnk
FROM usage
-- @innocent PostgreSQL: patients on a drug (for a recall), no doctor
SELECT DISTINCT li.patient_id, li.product_code FROM pharmacy.rx_line li WHERE li.product_code = ANY($1)
-- @tongfang Oracle window: share of each doctor in a drug
select ysgh, ypxh, sl, round(ratio_to_report(sl) over (partition by ypxh) * 100, 2) pct
from (select a.ysgh, b.ypxh, sum(b.ypsl) sl from ms_cf01 a, ms_cf02 b where a.cfsb = b.cfsb group by a.ysgh, b.ypxh)
-- @innocent Oracle: doctors' prescription counts per department (workload)
select a.ksdm, a.ysgh, count(distinct a.cfsb) cfs from ms_cf01 a where a.kfrq >= trunc(sysdate, 'MM') group by a.ksdm, a.ysgh
-- @tongfang UNION of two drugs, per doctor each
select ysdm, 'Y001' yp, sum(ypsl) from ms_cf02 where ypxh = 'Y001' group by ysdm
union all
select ysdm, 'Y002' yp, sum(ypsl) from ms_cf02 where ypxh = 'Y002' group by ysdm
-- @innocent dictionary maintenance
update yk_typk set ypmc = '阿托伐他汀钙片', ypgg = '20mg*7' where ypxh = 'Y001'
-- @tongfang pivot by drug with CASE, one row per doctor
SELECT d.staff_no,
       SUM(CASE WHEN m.med_code = '86900123' THEN m.qty ELSE 0 END) AS atorva,
       SUM(CASE WHEN m.med_code = '86900456' THEN m.qty ELSE 0 END) AS rosuva
FROM opd_rx_detail m JOIN staff d ON d.staff_no = m.order_staff
GROUP BY d.staff_no
-- @innocent DBA: table sizes
SELECT owner, segment_name, SUM(bytes)/1024/1024 mb FROM dba_segments GROUP BY owner, segment_name ORDER BY 3 DESC
-- @tongfang snake_case pinyin with aliases
select t.ys_gh as 工号, t.yp_dm as 药品, sum(t.yp_sl) as 数量 from zy_yzmx t where t.kz_rq >= '2026-02-01' group by t.ys_gh, t.yp_dm
-- @innocent inpatient ward usage by drug
select t.bq_dm, t.yp_dm, sum(t.yp_sl) from zy_yzmx t group by t.bq_dm, t.yp_dm
-- @tongfang ROLLUP doctor, drug
SELECT zzys, ypdm, SUM(je) FROM his_zy_fymx WHERE fyrq >= '2026-01-01' GROUP BY ROLLUP(zzys, ypdm)
-- @innocent GROUPING SETS: doctor totals and drug totals, never together
SELECT zzys, ypdm, SUM(je) FROM his_zy_fymx GROUP BY GROUPING SETS ((zzys), (ypdm))
-- @tongfang truncated by the audit appliance after the group by
SELECT a.DOCTOR_NO, b.ITEM_CODE, SUM(b.AMOUNT) FROM OUTP_ORDERS a JOIN OUTP_ORDER_DETAIL b ON a.ORDER_NO = b.ORDER_NO JOIN DRUG_DICT dd ON dd.DRUG_CODE = b.ITEM_CODE GROUP BY a.DOCTOR_NO, b.ITEM_CO
-- @innocent per-patient drug list for a discharge summary
SELECT b.ITEM_NAME, b.AMOUNT, b.ORDER_DATE FROM OUTP_ORDER_DETAIL b WHERE b.PATIENT_ID = '0012345' ORDER BY b.ORDER_DATE
-- @tongfang count of prescriptions per doctor for drugs like a name
select kfys, count(*) from mz_cf where ypmc like '%奥美拉唑%' group by kfys
-- @innocent drug ranking filtered by department
select ypmc, count(*) from mz_cf where ksmc = '心内科' group by ypmc order by 2 desc
-- @tongfang subquery grouped inside, joined to names outside
select g.ygxm, y.ypmc, x.n from (select cf.kdys, cf.ypxh, count(*) n from ms_cf02 cf group by cf.kdys, cf.ypxh) x
join gy_ygdm g on g.ygdm = x.kdys join yk_typk y on y.ypxh = x.ypxh where x.n > 100
-- @innocent 处方点评: antibiotic rate per doctor
select kdys, sum(case when kjyw = 1 then 1 else 0 end) * 1.0 / count(*) rate from ms_cf01 group by kdys
-- @tongfang one doctor's drug breakdown (the other direction)
SELECT DrugCode, SUM(Qty) FROM dbo.RxDetail WHERE PrescriberID = @doc GROUP BY DrugCode
-- @innocent one drug's monthly trend, no doctor
SELECT DATEPART(month, RxDate) m, SUM(Qty) FROM dbo.RxDetail WHERE DrugCode = @drug GROUP BY DATEPART(month, RxDate)
-- @tongfang MySQL with back-ticked Chinese aliases and GROUP BY positions
SELECT m.doc_id AS `医生`, m.medicine_id AS `药品`, COUNT(*) FROM his.opd_presc_item m GROUP BY 1, 2
-- @innocent audit of who changed drug prices
SELECT operator, COUNT(*) FROM drug_price_log WHERE changed_at > NOW() - INTERVAL 7 DAY GROUP BY operator
