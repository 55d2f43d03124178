-- Blind corpus no. 6: labelled SQL statements for a 统方 detector, written blind
-- (from general knowledge of hospital information systems and SQL dialects, without reading any existing code, tests or corpora).
-- Labelling definition:
--   @tongfang = the result gives prescription / medication-order / drug-dispensing figures (quantity, amount, count, rank, share)
--     broken down per prescribing doctor AND per drug. This includes one of the two fixed to a single value in WHERE
--     (one named doctor, one drug code or name) with the result grouped by the other, window functions partitioned by doctor
--     or drug, GROUPING SETS / ROLLUP / CUBE producing doctor x drug cells, PIVOT of drugs into columns per doctor,
--     UNION of per-drug pieces per doctor, CTEs and derived tables.
--   @innocent = similar statements that are NOT per doctor x per drug: per-drug hospital or department totals, per-doctor
--     workload or totals across all drugs, department x drug, per-patient drug lists, per-pharmacist (dispenser) or per-nurse
--     statistics, stock / inventory, price lists, DBA / maintenance, one patient's prescription, audit queries, doctor x diagnosis,
--     doctor x exam item, doctor x charge category of non-drug items, CTEs whose outer query aggregates the doctor away.
-- Format: each case is a label line, then one SQL statement ending with a semicolon, then a blank line. 80 cases, 40 and 40.
-- Held out (stop 30): measured once, after that stop's changes (a table joined by its own key, an inner join's ON
-- as WHERE, staff kept to one post, 中文名称) and before any change of its own: precision 0.973, recall 0.900
-- (36 of 40, one false alarm); stop 29's code scored precision 0.946, recall 0.875. Never tune the analyser on it.

-- @tongfang ZLHIS (Oracle): outpatient fee records, drug classes 5/6/7, amount and quantity per 开单人 x drug item
SELECT a.开单人 AS 医生, b.名称 AS 药品名称, b.规格,
       SUM(a.数次 * NVL(a.付数, 1)) AS 数量, SUM(a.实收金额) AS 金额
FROM 门诊费用记录 a, 收费项目目录 b
WHERE a.收费细目id = b.id
  AND a.收费类别 IN ('5', '6', '7')
  AND a.记录状态 IN (1, 3)
  AND a.登记时间 BETWEEN TO_DATE('2023-10-01', 'yyyy-mm-dd')
                     AND TO_DATE('2023-10-31 23:59:59', 'yyyy-mm-dd hh24:mi:ss')
GROUP BY a.开单人, b.名称, b.规格
ORDER BY a.开单人, SUM(a.实收金额) DESC;

-- @innocent ZLHIS (Oracle): same fee records, drug classes 5/6/7, hospital-wide totals per drug item only
SELECT b.名称 AS 药品名称, b.规格,
       SUM(a.数次 * NVL(a.付数, 1)) AS 数量, SUM(a.实收金额) AS 金额
FROM 门诊费用记录 a, 收费项目目录 b
WHERE a.收费细目id = b.id
  AND a.收费类别 IN ('5', '6', '7')
  AND a.记录状态 IN (1, 3)
  AND a.登记时间 BETWEEN TO_DATE('2023-10-01', 'yyyy-mm-dd')
                     AND TO_DATE('2023-10-31 23:59:59', 'yyyy-mm-dd hh24:mi:ss')
GROUP BY b.名称, b.规格
ORDER BY SUM(a.实收金额) DESC;

-- @tongfang 卫宁 (SQL Server): CTE with column list computes YSDM x YPDM quantity and amount, outer SELECT * returns it
WITH cf_tj (ysdm, ypdm, ypmc, sl, je) AS (
    SELECT a.YSDM, b.YPDM, b.YPMC, SUM(b.YPSL * b.CFTS), SUM(b.JE)
    FROM THIS4.dbo.MZ_CFK a
    JOIN THIS4.dbo.MZ_CFMXK b ON b.CFXH = a.XH
    WHERE a.JLZT = '0'
      AND a.CZRQ >= '2024-01-01' AND a.CZRQ < '2024-02-01'
    GROUP BY a.YSDM, b.YPDM, b.YPMC
)
SELECT * FROM cf_tj
ORDER BY ysdm, je DESC;

-- @innocent 卫宁 (SQL Server): same CTE by YSDM x YPDM, but the outer query aggregates doctors away into per-drug totals
WITH cf_tj (ysdm, ypdm, ypmc, sl, je) AS (
    SELECT a.YSDM, b.YPDM, b.YPMC, SUM(b.YPSL * b.CFTS), SUM(b.JE)
    FROM THIS4.dbo.MZ_CFK a
    JOIN THIS4.dbo.MZ_CFMXK b ON b.CFXH = a.XH
    WHERE a.JLZT = '0'
      AND a.CZRQ >= '2024-01-01' AND a.CZRQ < '2024-02-01'
    GROUP BY a.YSDM, b.YPDM, b.YPMC
)
SELECT ypdm, ypmc, SUM(sl) AS zsl, SUM(je) AS zje, COUNT(*) AS kfrs
FROM cf_tj
GROUP BY ypdm, ypmc
ORDER BY zje DESC;

-- @tongfang MySQL site schema: derived table UNION ALL of outpatient recipes and inpatient drug orders, grouped per doctor x drug outside
SELECT t.doctor_code, t.drug_code, t.drug_name,
       SUM(t.qty) AS total_qty, SUM(t.amount) AS total_amount
FROM (
    SELECT r.doctor_code, d.drug_code, d.drug_name, d.qty, d.amount
    FROM op_recipe r
    JOIN op_recipe_detail d ON d.recipe_id = r.id
    WHERE r.recipe_date >= '2024-03-01' AND r.recipe_date < '2024-04-01' AND r.status = 1
    UNION ALL
    SELECT o.order_doctor_code, o.drug_code, o.drug_name, o.dose_qty, o.amount
    FROM ip_order_drug o
    WHERE o.exec_date >= '2024-03-01' AND o.exec_date < '2024-04-01'
) t
GROUP BY t.doctor_code, t.drug_code, t.drug_name
ORDER BY t.doctor_code, total_amount DESC;

-- @innocent MySQL site schema: same outpatient + inpatient UNION ALL, grouped per department x drug
SELECT t.dept_code, t.drug_code, t.drug_name,
       SUM(t.qty) AS total_qty, SUM(t.amount) AS total_amount
FROM (
    SELECT r.dept_code, d.drug_code, d.drug_name, d.qty, d.amount
    FROM op_recipe r
    JOIN op_recipe_detail d ON d.recipe_id = r.id
    WHERE r.recipe_date >= '2024-03-01' AND r.recipe_date < '2024-04-01' AND r.status = 1
    UNION ALL
    SELECT o.order_dept_code, o.drug_code, o.drug_name, o.dose_qty, o.amount
    FROM ip_order_drug o
    WHERE o.exec_date >= '2024-03-01' AND o.exec_date < '2024-04-01'
) t
GROUP BY t.dept_code, t.drug_code, t.drug_name
ORDER BY t.dept_code, total_amount DESC;

-- @tongfang PostgreSQL: RANK() OVER (PARTITION BY prescriber_id ORDER BY drug amount), top 10 drugs of every prescriber
SELECT *
FROM (
    SELECT r.prescriber_id, ri.drug_code, SUM(ri.amount) AS amt,
           RANK() OVER (PARTITION BY r.prescriber_id ORDER BY SUM(ri.amount) DESC) AS rk
    FROM pharmacy.rx r
    JOIN pharmacy.rx_item ri ON ri.rx_id = r.rx_id
    WHERE r.rx_date >= DATE '2024-01-01' AND r.rx_date < DATE '2024-04-01'
    GROUP BY r.prescriber_id, ri.drug_code
) x
WHERE x.rk <= 10
ORDER BY x.prescriber_id, x.rk;

-- @innocent PostgreSQL: same rx tables, prescribers ranked by total amount across all drugs (per-doctor only)
SELECT r.prescriber_id,
       COUNT(DISTINCT r.rx_id) AS rx_cnt,
       SUM(ri.amount) AS amt,
       RANK() OVER (ORDER BY SUM(ri.amount) DESC) AS rk
FROM pharmacy.rx r
JOIN pharmacy.rx_item ri ON ri.rx_id = r.rx_id
WHERE r.rx_date >= DATE '2024-01-01' AND r.rx_date < DATE '2024-04-01'
GROUP BY r.prescriber_id
ORDER BY rk;

-- @tongfang SQL Server CamelCase schema: PIVOT named drugs into columns, one row per prescribing doctor (name via SysUser)
SELECT *
FROM (
    SELECT u.UserName AS 医生, d.DrugName, i.Quantity
    FROM dbo.PrescriptionItem i
    JOIN dbo.Prescription p ON p.PrescriptionId = i.PrescriptionId
    JOIN dbo.SysUser u ON u.UserId = p.PrescriberId
    JOIN dbo.DrugDict d ON d.DrugId = i.DrugId
    WHERE p.CreateTime >= '2024-05-01' AND p.CreateTime < '2024-06-01'
) s
PIVOT (SUM(Quantity) FOR DrugName IN ([头孢克肟分散片], [阿莫西林胶囊], [奥美拉唑肠溶胶囊], [阿托伐他汀钙片])) pv
ORDER BY 医生;

-- @innocent SQL Server CamelCase schema: PIVOT months into columns, one row per drug (drug x month)
SELECT *
FROM (
    SELECT d.DrugName, MONTH(p.CreateTime) AS Mon, i.Quantity
    FROM dbo.PrescriptionItem i
    JOIN dbo.Prescription p ON p.PrescriptionId = i.PrescriptionId
    JOIN dbo.DrugDict d ON d.DrugId = i.DrugId
    WHERE p.CreateTime >= '2024-01-01' AND p.CreateTime < '2025-01-01'
) s
PIVOT (SUM(Quantity) FOR Mon IN ([1], [2], [3], [4], [5], [6], [7], [8], [9], [10], [11], [12])) pv
ORDER BY DrugName;

-- @tongfang Oracle pinyin upper: one drug code fixed in WHERE, grouped by KDYS with name from GY_RYXX via (+) join
SELECT a.KDYS, r.XM AS YSXM, SUM(a.SL) AS SL, SUM(a.JE) AS JE
FROM MZ_CFMX a, GY_RYXX r
WHERE a.KDYS = r.RYBM(+)
  AND a.YPDM = 'X0345021'
  AND a.CFRQ >= TRUNC(SYSDATE, 'MM')
GROUP BY a.KDYS, r.XM
ORDER BY JE DESC;

-- @innocent Oracle pinyin upper: the same drug code fixed, trend per month over the last year (drug x month)
SELECT TO_CHAR(a.CFRQ, 'yyyy-mm') AS YF, SUM(a.SL) AS SL, SUM(a.JE) AS JE
FROM MZ_CFMX a
WHERE a.YPDM = 'X0345021'
  AND a.CFRQ >= ADD_MONTHS(TRUNC(SYSDATE, 'MM'), -12)
GROUP BY TO_CHAR(a.CFRQ, 'yyyy-mm')
ORDER BY 1;

-- @tongfang site schema: one doctor fixed through EXISTS on sys_user name, result grouped per drug
SELECT m.drug_code, m.drug_name, SUM(m.qty) AS qty, SUM(m.amount) AS amount
FROM his.mz_recipe_item m
WHERE EXISTS (
        SELECT 1
        FROM his.mz_recipe r
        JOIN his.sys_user u ON u.user_id = r.doctor_id
        WHERE r.recipe_no = m.recipe_no
          AND u.user_name = '李建国')
  AND m.item_type = 'DRUG'
GROUP BY m.drug_code, m.drug_name
ORDER BY amount DESC;

-- @innocent site schema: the same named doctor, recipe counts per diagnosis (doctor x diagnosis)
SELECT r.diag_code, r.diag_name, COUNT(*) AS recipe_cnt
FROM his.mz_recipe r
JOIN his.sys_user u ON u.user_id = r.doctor_id
WHERE u.user_name = '李建国'
  AND r.recipe_date >= DATE '2024-01-01'
GROUP BY r.diag_code, r.diag_name
ORDER BY recipe_cnt DESC;

-- @tongfang Oracle snake_case: GROUPING SETS ((doctor, drug), (doctor)) yields doctor x drug cells plus doctor subtotals
SELECT o.order_doctor_no, o.med_id,
       SUM(o.dispense_qty) AS qty, SUM(o.charge_amt) AS amt,
       GROUPING(o.med_id) AS is_subtotal
FROM ipd.med_order o
WHERE o.order_date >= DATE '2024-01-01'
  AND o.cancel_flag = 'N'
GROUP BY GROUPING SETS ((o.order_doctor_no, o.med_id), (o.order_doctor_no))
ORDER BY o.order_doctor_no, o.med_id;

-- @innocent Oracle snake_case: GROUPING SETS ((doctor), (drug)) gives separate doctor totals and drug totals, no doctor x drug cell
SELECT o.order_doctor_no, o.med_id,
       SUM(o.dispense_qty) AS qty, SUM(o.charge_amt) AS amt,
       GROUPING(o.order_doctor_no) AS g_doc, GROUPING(o.med_id) AS g_med
FROM ipd.med_order o
WHERE o.order_date >= DATE '2024-01-01'
  AND o.cancel_flag = 'N'
GROUP BY GROUPING SETS ((o.order_doctor_no), (o.med_id))
ORDER BY g_doc, o.order_doctor_no, o.med_id;

-- @tongfang Oracle: CUBE over doctor name and drug name of inpatient order detail, DECODE(GROUPING()) labels
SELECT DECODE(GROUPING(y.YSXM), 1, '全部医生', y.YSXM) AS 医生,
       DECODE(GROUPING(p.YPMC), 1, '全部药品', p.YPMC) AS 药品,
       SUM(x.SL) AS 数量, SUM(x.JE) AS 金额
FROM ZY_YZMX x
JOIN GY_YS y ON y.YSGH = x.KZYS
JOIN YK_YPZD p ON p.YPBM = x.YPBM
WHERE x.ZXRQ BETWEEN DATE '2024-04-01' AND DATE '2024-04-30'
GROUP BY CUBE(y.YSXM, p.YPMC);

-- @innocent Oracle: ROLLUP over department and doctor, prescription count and amount across all drugs (workload)
SELECT NVL(k.KSMC, '合计') AS 科室, NVL(y.YSXM, '小计') AS 医生,
       COUNT(DISTINCT c.CFH) AS 处方数, SUM(c.ZJE) AS 处方金额
FROM MZ_CF c
JOIN GY_KS k ON k.KSDM = c.KSDM
JOIN GY_YS y ON y.YSGH = c.YSGH
WHERE c.CFRQ BETWEEN DATE '2024-04-01' AND DATE '2024-04-30'
GROUP BY ROLLUP(k.KSMC, y.YSXM);

-- @tongfang pharmacy dispensing detail (pinyin lower): CASE WHEN pivot of three drug codes per prescribing doctor ysgh
SELECT ysgh, MAX(ysxm) AS ysxm,
       SUM(CASE WHEN ypdm = '010203' THEN sl ELSE 0 END) AS 头孢曲松,
       SUM(CASE WHEN ypdm = '010517' THEN sl ELSE 0 END) AS 左氧氟沙星,
       SUM(CASE WHEN ypdm = '020114' THEN sl ELSE 0 END) AS 奥美拉唑
FROM yf_fymx
WHERE fyrq >= '2024-06-01' AND fyrq < '2024-07-01'
GROUP BY ysgh
ORDER BY ysgh;

-- @innocent pharmacy dispensing detail (pinyin lower): same CASE WHEN pivot but per dispenser fyrgh (发药人)
SELECT fyrgh, MAX(fyrxm) AS fyrxm,
       SUM(CASE WHEN ypdm = '010203' THEN sl ELSE 0 END) AS 头孢曲松,
       SUM(CASE WHEN ypdm = '010517' THEN sl ELSE 0 END) AS 左氧氟沙星,
       SUM(CASE WHEN ypdm = '020114' THEN sl ELSE 0 END) AS 奥美拉唑
FROM yf_fymx
WHERE fyrq >= '2024-06-01' AND fyrq < '2024-07-01'
GROUP BY fyrgh
ORDER BY fyrgh;

-- @tongfang Hive: INSERT OVERWRITE monthly ADS partition per doctor x drug from outpatient prescription detail (drug item classes)
INSERT OVERWRITE TABLE ads.ads_outp_doc_drug_m PARTITION (ym = '202401')
SELECT doc_id, doc_name, drug_id, drug_name, drug_spec,
       SUM(num) AS num, SUM(fee) AS fee, COUNT(DISTINCT presc_no) AS presc_cnt
FROM dw.dwd_outp_presc_detail
WHERE dt BETWEEN '20240101' AND '20240131'
  AND item_class IN ('01', '02', '03')
GROUP BY doc_id, doc_name, drug_id, drug_name, drug_spec;

-- @innocent Hive: same detail table, per patient visit the list of drugs (collect_set) and fee
SELECT patient_id, visit_no,
       concat_ws(',', collect_set(drug_name)) AS drugs,
       SUM(fee) AS fee
FROM dw.dwd_outp_presc_detail
WHERE dt = '20240115'
  AND item_class IN ('01', '02', '03')
GROUP BY patient_id, visit_no;

-- @tongfang ClickHouse: per doctor x drug sums, top 10 drugs per doctor via LIMIT 10 BY doctor_id
SELECT doctor_id, any(doctor_name) AS doctor_name,
       drug_id, any(drug_name) AS drug_name,
       sum(qty) AS qty, sum(amount) AS amount
FROM his_dw.presc_item_all
WHERE toYYYYMM(presc_time) = 202405
  AND is_drug = 1
GROUP BY doctor_id, drug_id
ORDER BY doctor_id, amount DESC
LIMIT 10 BY doctor_id;

-- @innocent ClickHouse: same table, daily totals per drug
SELECT toDate(presc_time) AS d, drug_id, any(drug_name) AS drug_name,
       sum(qty) AS qty, sum(amount) AS amount
FROM his_dw.presc_item_all
WHERE toYYYYMM(presc_time) = 202405
  AND is_drug = 1
GROUP BY d, drug_id
ORDER BY d, amount DESC;

-- @tongfang PostgreSQL: derived doctor x drug quantities, string_agg per doctor lists each drug with its quantity
SELECT t.doctor_name,
       string_agg(t.drug_name || ' ' || t.qty::text || '盒', ', ' ORDER BY t.qty DESC) AS drug_list
FROM (
    SELECT e.emp_name AS doctor_name, m.drug_name, SUM(i.qty) AS qty
    FROM rx.prescription p
    JOIN rx.prescription_item i ON i.presc_id = p.id
    JOIN hr.employee e ON e.emp_id = p.doctor_id
    JOIN rx.drug m ON m.drug_id = i.drug_id
    WHERE p.created_at >= now() - interval '30 days'
    GROUP BY e.emp_name, m.drug_name
) t
GROUP BY t.doctor_name
ORDER BY t.doctor_name;

-- @innocent PostgreSQL: same tables, one patient's prescriptions with string_agg of drugs
SELECT p.id, p.created_at,
       string_agg(m.drug_name || ' x' || i.qty::text, ', ') AS drug_list
FROM rx.prescription p
JOIN rx.prescription_item i ON i.presc_id = p.id
JOIN rx.drug m ON m.drug_id = i.drug_id
WHERE p.patient_id = 'P00123456'
GROUP BY p.id, p.created_at
ORDER BY p.created_at;

-- @tongfang PostgreSQL: CROSS JOIN LATERAL, for every doctor the top 5 drugs by amount this month
SELECT d.doctor_id, d.doctor_name, t5.drug_name, t5.amount
FROM hr.doctor d
CROSS JOIN LATERAL (
    SELECT m.drug_name, SUM(i.amount) AS amount
    FROM rx.prescription p
    JOIN rx.prescription_item i ON i.presc_id = p.id
    JOIN rx.drug m ON m.drug_id = i.drug_id
    WHERE p.doctor_id = d.doctor_id
      AND p.created_at >= date_trunc('month', now())
    GROUP BY m.drug_name
    ORDER BY amount DESC
    LIMIT 5
) t5
ORDER BY d.doctor_id, t5.amount DESC;

-- @innocent PostgreSQL: CROSS JOIN LATERAL, for every department the top 5 drugs by amount this month
SELECT dp.dept_id, dp.dept_name, t5.drug_name, t5.amount
FROM hr.department dp
CROSS JOIN LATERAL (
    SELECT m.drug_name, SUM(i.amount) AS amount
    FROM rx.prescription p
    JOIN rx.prescription_item i ON i.presc_id = p.id
    JOIN rx.drug m ON m.drug_id = i.drug_id
    WHERE p.dept_id = dp.dept_id
      AND p.created_at >= date_trunc('month', now())
    GROUP BY m.drug_name
    ORDER BY amount DESC
    LIMIT 5
) t5
ORDER BY dp.dept_id, t5.amount DESC;

-- @tongfang SQL Server: CROSS APPLY TOP 3 drugs by quantity for every staff member of type DOC
SELECT s.StaffCode, s.StaffName, x.DrugCode, x.DrugName, x.TotalQty
FROM dbo.Staff s
CROSS APPLY (
    SELECT TOP 3 d.DrugCode, d.DrugName, SUM(od.Qty) AS TotalQty
    FROM dbo.OrderDrug od
    JOIN dbo.DrugInfo d ON d.DrugCode = od.DrugCode
    WHERE od.OrderDoctor = s.StaffCode
      AND od.OrderDate >= DATEADD(MONTH, -1, GETDATE())
    GROUP BY d.DrugCode, d.DrugName
    ORDER BY SUM(od.Qty) DESC
) x
WHERE s.StaffType = 'DOC'
ORDER BY s.StaffCode, x.TotalQty DESC;

-- @innocent SQL Server: CROSS APPLY TOP 3 diagnoses by visit count for every staff member of type DOC
SELECT s.StaffCode, s.StaffName, x.DiagCode, x.DiagName, x.Cnt
FROM dbo.Staff s
CROSS APPLY (
    SELECT TOP 3 v.DiagCode, v.DiagName, COUNT(*) AS Cnt
    FROM dbo.OutpVisit v
    WHERE v.DoctorCode = s.StaffCode
      AND v.VisitDate >= DATEADD(MONTH, -1, GETDATE())
    GROUP BY v.DiagCode, v.DiagName
    ORDER BY COUNT(*) DESC
) x
WHERE s.StaffType = 'DOC'
ORDER BY s.StaffCode, x.Cnt DESC;

-- @tongfang 达梦 DM8: CREATE TABLE AS SELECT monthly snapshot per 开单医生 x drug with staff name from GY_ZGXX
CREATE TABLE RPT.TMP_YSYP_202406 AS
SELECT c.KDYSBM, y.XM AS KDYSXM, m.YPBM, m.YPMC, m.GG,
       SUM(m.SL) AS SL, SUM(m.JE) AS JE
FROM HIS.MZ_CF c
INNER JOIN HIS.MZ_CFMX m ON m.CFID = c.CFID
LEFT JOIN HIS.GY_ZGXX y ON y.ZGBM = c.KDYSBM
WHERE c.KFSJ >= '2024-06-01' AND c.KFSJ < '2024-07-01'
  AND c.ZFBZ = 0
GROUP BY c.KDYSBM, y.XM, m.YPBM, m.YPMC, m.GG;

-- @innocent 达梦 DM8: CREATE TABLE AS SELECT pharmacy stock snapshot per pharmacy x drug
CREATE TABLE RPT.KC_KZ_20240630 AS
SELECT k.YFBM, k.YPBM, d.YPMC, d.GG,
       k.KCSL, k.PFJ, k.LSJ, k.KCSL * k.LSJ AS KCJE
FROM HIS.YF_KC k
JOIN HIS.YK_YPZD d ON d.YPBM = k.YPBM
WHERE k.KCSL <> 0;

-- @tongfang 人大金仓 KingbaseES: INSERT INTO report table SELECT last month inpatient drug orders per doctor x drug
INSERT INTO report.doc_drug_month (stat_month, doctor_code, doctor_name, drug_code, drug_name, qty, amount)
SELECT to_char(o.order_time, 'YYYYMM'), o.doctor_code, u.real_name, o.drug_code, g.drug_name,
       SUM(o.quantity), SUM(o.total_fee)
FROM his.inp_drug_order o
JOIN his.sys_user u ON u.user_code = o.doctor_code
JOIN his.drug_goods g ON g.drug_code = o.drug_code
WHERE o.order_time >= date_trunc('month', current_date - interval '1 month')
  AND o.order_time < date_trunc('month', current_date)
GROUP BY 1, 2, 3, 4, 5;

-- @innocent 人大金仓 KingbaseES: INSERT INTO workload table per doctor, number of drug kinds as COUNT(DISTINCT) only
INSERT INTO report.doc_workload_month (stat_month, doctor_code, doctor_name, order_cnt, patient_cnt, drug_kinds, amount)
SELECT to_char(o.order_time, 'YYYYMM'), o.doctor_code, u.real_name,
       COUNT(*), COUNT(DISTINCT o.patient_id), COUNT(DISTINCT o.drug_code), SUM(o.total_fee)
FROM his.inp_drug_order o
JOIN his.sys_user u ON u.user_code = o.doctor_code
WHERE o.order_time >= date_trunc('month', current_date - interval '1 month')
  AND o.order_time < date_trunc('month', current_date)
GROUP BY 1, 2, 3;

-- @tongfang generic HIS with Chinese quoted identifiers: CREATE VIEW of 开单医生 x 药品 totals from the charge detail
CREATE VIEW v_kdys_yp_tj AS
SELECT s."姓名" AS "开单医生", d."药品名称", d."规格",
       SUM(f."数量") AS "合计", SUM(f."金额") AS "金额合计"
FROM "门诊收费明细" f
JOIN "职工信息" s ON s."工号" = f."开单医生工号"
JOIN "药品目录" d ON d."药品编码" = f."项目编码"
WHERE f."项目类别" IN ('西药', '中成药', '草药')
GROUP BY s."姓名", d."药品名称", d."规格";

-- @innocent generic HIS with Chinese quoted identifiers: CREATE VIEW drug price list from the drug catalogue
CREATE VIEW v_yp_jgb AS
SELECT d."药品编码", d."药品名称", d."规格", d."单位",
       d."零售价", d."医保类别"
FROM "药品目录" d
WHERE d."停用标志" = '0';

-- @tongfang Oracle: MERGE yesterday's dispensing per YSDM x YPDM into a daily report table
MERGE INTO RPT_YS_YP_DAY t
USING (
    SELECT TRUNC(a.FYSJ) AS RQ, a.YSDM, a.YPDM, SUM(a.FYSL) AS SL, SUM(a.FYJE) AS JE
    FROM YF_FYJL a
    WHERE a.FYSJ >= TRUNC(SYSDATE) - 1 AND a.FYSJ < TRUNC(SYSDATE)
    GROUP BY TRUNC(a.FYSJ), a.YSDM, a.YPDM
) s
ON (t.RQ = s.RQ AND t.YSDM = s.YSDM AND t.YPDM = s.YPDM)
WHEN MATCHED THEN UPDATE SET t.SL = s.SL, t.JE = s.JE
WHEN NOT MATCHED THEN INSERT (RQ, YSDM, YPDM, SL, JE) VALUES (s.RQ, s.YSDM, s.YPDM, s.SL, s.JE);

-- @innocent Oracle: MERGE unposted dispensing per pharmacy x drug into pharmacy stock (inventory deduction)
MERGE INTO YF_KC t
USING (
    SELECT a.YFDM, a.YPDM, SUM(a.FYSL) AS SL
    FROM YF_FYJL a
    WHERE a.KCBZ = '0'
    GROUP BY a.YFDM, a.YPDM
) s
ON (t.YFDM = s.YFDM AND t.YPDM = s.YPDM)
WHEN MATCHED THEN UPDATE SET t.KCSL = t.KCSL - s.SL;

-- @tongfang Epic Clarity: ORDER_MED per prescribing provider (CLARITY_SER) x medication, order and patient counts
SELECT ser.PROV_ID, ser.PROV_NAME, med.MEDICATION_ID, med.NAME AS MEDICATION_NAME,
       COUNT(DISTINCT om.ORDER_MED_ID) AS ORDERS,
       COUNT(DISTINCT om.PAT_ID) AS PATIENTS
FROM ORDER_MED om
JOIN CLARITY_SER ser ON ser.PROV_ID = om.MED_PRESC_PROV_ID
JOIN CLARITY_MEDICATION med ON med.MEDICATION_ID = om.MEDICATION_ID
WHERE om.ORDERING_DATE >= '2024-01-01'
  AND om.ORDER_STATUS_C <> 4
GROUP BY ser.PROV_ID, ser.PROV_NAME, med.MEDICATION_ID, med.NAME
ORDER BY ser.PROV_NAME, ORDERS DESC;

-- @innocent Epic Clarity: ORDER_PROC per authorizing provider x procedure (lab and imaging orders, not drugs)
SELECT ser.PROV_ID, ser.PROV_NAME, eap.PROC_CODE, eap.PROC_NAME,
       COUNT(DISTINCT op.ORDER_PROC_ID) AS ORDERS
FROM ORDER_PROC op
JOIN CLARITY_SER ser ON ser.PROV_ID = op.AUTHRZING_PROV_ID
JOIN CLARITY_EAP eap ON eap.PROC_ID = op.PROC_ID
WHERE op.ORDERING_DATE >= '2024-01-01'
  AND op.ORDER_STATUS_C <> 4
GROUP BY ser.PROV_ID, ser.PROV_NAME, eap.PROC_CODE, eap.PROC_NAME
ORDER BY ser.PROV_NAME, ORDERS DESC;

-- @tongfang Cerner Millennium (Oracle): pharmacy catalog orders per ordering provider x catalog item, old-style (+) join
SELECT p.name_full_formatted AS prescriber, oc.primary_mnemonic AS drug,
       COUNT(DISTINCT o.order_id) AS orders
FROM orders o, order_action oa, prsnl p, order_catalog oc
WHERE oa.order_id = o.order_id
  AND oa.action_sequence = 1
  AND oa.order_provider_id = p.person_id (+)
  AND oc.catalog_cd = o.catalog_cd
  AND o.catalog_type_cd = (SELECT cv.code_value FROM code_value cv
                           WHERE cv.code_set = 6000 AND cv.cdf_meaning = 'PHARMACY')
  AND o.orig_order_dt_tm >= TO_DATE('01-JAN-2024', 'DD-MON-YYYY')
GROUP BY p.name_full_formatted, oc.primary_mnemonic
ORDER BY prescriber, orders DESC;

-- @innocent Cerner Millennium (Oracle): medication administrations per administering nurse x drug (MED_ADMIN_EVENT)
SELECT p.name_full_formatted AS nurse, oc.primary_mnemonic AS drug,
       COUNT(*) AS admins
FROM med_admin_event mae, prsnl p, orders o, order_catalog oc
WHERE p.person_id = mae.prsnl_id
  AND o.order_id = mae.order_id
  AND oc.catalog_cd = o.catalog_cd
  AND mae.beg_dt_tm >= TO_DATE('01-JAN-2024', 'DD-MON-YYYY')
GROUP BY p.name_full_formatted, oc.primary_mnemonic
ORDER BY nurse, admins DESC;

-- @tongfang OMOP CDM: prescription-written drug exposures per provider x drug concept
SELECT pr.provider_id, pr.provider_name, c.concept_name AS drug,
       COUNT(*) AS exposures, SUM(de.quantity) AS qty
FROM cdm.drug_exposure de
JOIN cdm.provider pr ON pr.provider_id = de.provider_id
JOIN cdm.concept c ON c.concept_id = de.drug_concept_id
WHERE de.drug_type_concept_id = 38000177
  AND de.drug_exposure_start_date >= DATE '2023-01-01'
GROUP BY pr.provider_id, pr.provider_name, c.concept_name
ORDER BY pr.provider_id, exposures DESC;

-- @innocent OMOP CDM: drug exposures per drug concept x year (persons and records)
SELECT c.concept_name AS drug,
       EXTRACT(YEAR FROM de.drug_exposure_start_date) AS yr,
       COUNT(DISTINCT de.person_id) AS persons, COUNT(*) AS exposures
FROM cdm.drug_exposure de
JOIN cdm.concept c ON c.concept_id = de.drug_concept_id
WHERE de.drug_type_concept_id = 38000177
  AND de.drug_exposure_start_date >= DATE '2023-01-01'
GROUP BY c.concept_name, EXTRACT(YEAR FROM de.drug_exposure_start_date)
ORDER BY drug, yr;

-- @tongfang OpenMRS (MySQL): drug orders per orderer provider x drug, name via person_name preferred in JOIN ON
SELECT CONCAT(pn.given_name, ' ', pn.family_name) AS prescriber, d.name AS drug,
       COUNT(*) AS orders, SUM(dro.quantity) AS qty
FROM orders o
JOIN drug_order dro ON dro.order_id = o.order_id
JOIN drug d ON d.drug_id = dro.drug_inventory_id
JOIN provider pv ON pv.provider_id = o.orderer
JOIN person_name pn ON pn.person_id = pv.person_id AND pn.preferred = 1 AND pn.voided = 0
WHERE o.voided = 0
  AND o.date_activated >= '2024-01-01'
GROUP BY pv.provider_id, pn.given_name, pn.family_name, d.drug_id, d.name;

-- @innocent OpenMRS (MySQL): test orders per orderer provider x test concept (doctor x exam item)
SELECT CONCAT(pn.given_name, ' ', pn.family_name) AS orderer_name, cn.name AS test_name,
       COUNT(*) AS orders
FROM orders o
JOIN test_order t ON t.order_id = o.order_id
JOIN concept_name cn ON cn.concept_id = o.concept_id AND cn.locale = 'en' AND cn.locale_preferred = 1
JOIN provider pv ON pv.provider_id = o.orderer
JOIN person_name pn ON pn.person_id = pv.person_id AND pn.preferred = 1 AND pn.voided = 0
WHERE o.voided = 0
  AND o.date_activated >= '2024-01-01'
GROUP BY pv.provider_id, pn.given_name, pn.family_name, cn.name;

-- @tongfang 东软 Neusoft HIS (Oracle): FIN_OPB_FEEDETAIL drug items (DRUG_FLAG 1) per DOCT_CODE x ITEM_CODE
SELECT f.DOCT_CODE, e.EMPL_NAME, f.ITEM_CODE, f.ITEM_NAME, f.SPECS,
       SUM(f.QTY) AS QTY, SUM(f.TOT_COST) AS TOT_COST
FROM FIN_OPB_FEEDETAIL f, COM_EMPLOYEE e
WHERE f.DOCT_CODE = e.EMPL_CODE(+)
  AND f.DRUG_FLAG = '1'
  AND f.PAY_FLAG = '1'
  AND f.CANCEL_FLAG = '1'
  AND f.FEE_DATE >= TO_DATE('2024-03-01', 'yyyy-mm-dd')
  AND f.FEE_DATE < TO_DATE('2024-04-01', 'yyyy-mm-dd')
GROUP BY f.DOCT_CODE, e.EMPL_NAME, f.ITEM_CODE, f.ITEM_NAME, f.SPECS
ORDER BY f.DOCT_CODE, TOT_COST DESC;

-- @innocent 东软 Neusoft HIS (Oracle): non-drug items (DRUG_FLAG 0) per doctor x minimum fee code (charge category)
SELECT f.DOCT_CODE, e.EMPL_NAME, f.FEE_CODE,
       COUNT(*) AS ITEM_CNT, SUM(f.TOT_COST) AS TOT_COST
FROM FIN_OPB_FEEDETAIL f, COM_EMPLOYEE e
WHERE f.DOCT_CODE = e.EMPL_CODE(+)
  AND f.DRUG_FLAG = '0'
  AND f.PAY_FLAG = '1'
  AND f.CANCEL_FLAG = '1'
  AND f.FEE_DATE >= TO_DATE('2024-03-01', 'yyyy-mm-dd')
  AND f.FEE_DATE < TO_DATE('2024-04-01', 'yyyy-mm-dd')
GROUP BY f.DOCT_CODE, e.EMPL_NAME, f.FEE_CODE
ORDER BY f.DOCT_CODE, TOT_COST DESC;

-- @tongfang 东华 DHC (Caché SQL): OE_OrdItem per ordering doctor x order item of order type R (drug), implicit -> joins
SELECT OEORI_Doctor_DR->CTPCP_Desc AS 医生,
       OEORI_ItmMast_DR->ARCIM_Desc AS 药品,
       COUNT(*) AS 医嘱数, SUM(OEORI_PhQtyOrd) AS 数量
FROM SQLUser.OE_OrdItem
WHERE OEORI_ItmMast_DR->ARCIM_ItemCat_DR->ARCIC_OrderType = 'R'
  AND OEORI_SttDat BETWEEN {d '2024-05-01'} AND {d '2024-05-31'}
GROUP BY OEORI_Doctor_DR, OEORI_ItmMast_DR
ORDER BY 医生, 数量 DESC;

-- @innocent 东华 DHC (Caché SQL): pharmacy dispensing per dispensing user (发药人) x stock item
SELECT d.PHD_FYUser_DR->SSUSR_Name AS 发药人,
       i.PHDI_INCI_DR->INCI_Desc AS 药品,
       COUNT(DISTINCT d.PHD_RowID) AS 发药单数, SUM(i.PHDI_Qty) AS 数量
FROM SQLUser.DHC_PHDISPEN d, SQLUser.DHC_PHDISITEM i
WHERE i.PHDI_PHD_ParRef = d.PHD_RowID
  AND d.PHD_Date BETWEEN {d '2024-05-01'} AND {d '2024-05-31'}
GROUP BY d.PHD_FYUser_DR, i.PHDI_INCI_DR
ORDER BY 发药人, 数量 DESC;

-- @tongfang 创业慧康 style (pinyin lower): ms_cf01/ms_cf02 prescriptions per ysdm x ypxh with staff and drug dictionary names
select a.ysdm, c.ygxm, b.ypxh, d.ypmc, d.ypgg,
       sum(b.ypsl * b.cfts) as sl, sum(b.hjje) as je
from ms_cf01 a
join ms_cf02 b on b.cfsb = a.cfsb
join gy_ygdm c on c.ygdm = a.ysdm
join yk_typk d on d.ypxh = b.ypxh
where a.kfrq >= '2024-04-01' and a.kfrq < '2024-05-01'
  and a.zfpb = 0
group by a.ysdm, c.ygxm, b.ypxh, d.ypmc, d.ypgg
order by a.ysdm, je desc;

-- @innocent 创业慧康 style (pinyin lower): same tables per ysdm only, prescriptions, drug variety count and amount
select a.ysdm, c.ygxm,
       count(distinct a.cfsb) as cfs, count(distinct b.ypxh) as pzs,
       sum(b.hjje) as je
from ms_cf01 a
join ms_cf02 b on b.cfsb = a.cfsb
join gy_ygdm c on c.ygdm = a.ysdm
where a.kfrq >= '2024-04-01' and a.kfrq < '2024-05-01'
  and a.zfpb = 0
group by a.ysdm, c.ygxm
order by je desc;

-- @tongfang 众阳 style (MySQL, backticks): one drug fixed in the JOIN ON to the drug dictionary, grouped per doctor
SELECT `r`.`doctor_id`, `u`.`real_name` AS `医生`,
       SUM(`d`.`num`) AS `数量`, SUM(`d`.`money`) AS `金额`
FROM `his`.`op_recipe_detail` `d`
JOIN `his`.`op_recipe` `r` ON `r`.`recipe_id` = `d`.`recipe_id`
JOIN `his`.`sys_user` `u` ON `u`.`user_id` = `r`.`doctor_id`
JOIN `his`.`dict_drug` `g` ON `g`.`drug_id` = `d`.`drug_id` AND `g`.`generic_name` = '阿托伐他汀钙片'
WHERE `r`.`create_time` >= '2024-01-01'
GROUP BY `r`.`doctor_id`, `u`.`real_name`
ORDER BY `金额` DESC;

-- @innocent 众阳 style (MySQL, backticks): same tables, per drug x month totals
SELECT DATE_FORMAT(`r`.`create_time`, '%Y-%m') AS `月份`, `g`.`generic_name` AS `药品`,
       SUM(`d`.`num`) AS `数量`, SUM(`d`.`money`) AS `金额`
FROM `his`.`op_recipe_detail` `d`
JOIN `his`.`op_recipe` `r` ON `r`.`recipe_id` = `d`.`recipe_id`
JOIN `his`.`dict_drug` `g` ON `g`.`drug_id` = `d`.`drug_id`
WHERE `r`.`create_time` >= '2024-01-01'
GROUP BY DATE_FORMAT(`r`.`create_time`, '%Y-%m'), `g`.`generic_name`
ORDER BY `月份`, `金额` DESC;

-- @tongfang 金仕达 style (Sybase ASE): TOP 50 doctor x drug combinations by amount for January
SELECT TOP 50 a.YSDM, b.YPDM, b.YPMC, SUM(b.SL) AS SL, SUM(b.JE) AS JE
FROM YS_MZ_CF a, YS_MZ_CFMX b
WHERE a.CFH = b.CFH
  AND a.KFRQ >= '20240101' AND a.KFRQ < '20240201'
  AND a.ZFBZ = 0
GROUP BY a.YSDM, b.YPDM, b.YPMC
ORDER BY JE DESC;

-- @innocent 金仕达 style (Sybase ASE): DBA creates an index on the prescription header for doctor and date lookups
CREATE NONCLUSTERED INDEX idx_ys_mz_cf_ysdm_kfrq
ON YS_MZ_CF (YSDM, KFRQ)
WITH FILLFACTOR = 80;

-- @tongfang 万达 style (Oracle): inpatient order charges per 开嘱医生 KZYS x drug, refunds negated with DECODE, NVL name
SELECT y.KZYS, NVL(g.ZGXM, '未知') AS YSXM, y.YPBM, y.YPMC,
       SUM(DECODE(y.TFBZ, '1', -y.SL, y.SL)) AS SL,
       SUM(DECODE(y.TFBZ, '1', -y.JE, y.JE)) AS JE
FROM ZY_YZFYMX y, GY_ZGDM g
WHERE g.ZGDM(+) = y.KZYS
  AND y.XMLB IN ('1', '2', '3')
  AND y.FYRQ BETWEEN DATE '2024-02-01' AND DATE '2024-02-29'
GROUP BY y.KZYS, g.ZGXM, y.YPBM, y.YPMC
ORDER BY y.KZYS, JE DESC;

-- @innocent 万达 style (Oracle): same inpatient order charges per ward BQDM x drug
SELECT y.BQDM, NVL(b.BQMC, '未知') AS BQMC, y.YPBM, y.YPMC,
       SUM(DECODE(y.TFBZ, '1', -y.SL, y.SL)) AS SL,
       SUM(DECODE(y.TFBZ, '1', -y.JE, y.JE)) AS JE
FROM ZY_YZFYMX y, GY_BQDM b
WHERE b.BQDM(+) = y.BQDM
  AND y.XMLB IN ('1', '2', '3')
  AND y.FYRQ BETWEEN DATE '2024-02-01' AND DATE '2024-02-29'
GROUP BY y.BQDM, b.BQMC, y.YPBM, y.YPMC
ORDER BY y.BQDM, JE DESC;

-- @tongfang 银海 medical-insurance settlement detail (Chinese columns): drug fee classes per 医师编码 x 医保目录编码
SELECT m.医师编码, m.医师姓名, m.医保目录编码, m.项目名称,
       SUM(m.数量) AS 数量, SUM(m.金额) AS 金额
FROM 医保结算明细 m
WHERE m.收费类别 IN ('11', '12', '13')
  AND m.结算日期 >= '2024-01-01' AND m.结算日期 < '2024-04-01'
GROUP BY m.医师编码, m.医师姓名, m.医保目录编码, m.项目名称
ORDER BY m.医师编码, 金额 DESC;

-- @innocent 银海 medical-insurance settlement detail (Chinese columns): one insured person's drug items, line by line
SELECT m.结算日期, m.医保目录编码, m.项目名称, m.数量, m.金额, m.医师姓名
FROM 医保结算明细 m
WHERE m.个人编号 = '420102198805061234'
  AND m.收费类别 IN ('11', '12', '13')
  AND m.结算日期 >= '2024-01-01'
ORDER BY m.结算日期;

-- @tongfang 方正 style (SQL Server, bracketed Chinese): [人员表] doctor name x [药品字典] drug totals from outpatient prescriptions
SELECT r.[姓名] AS [开单医生], y.[药品名称], y.[规格],
       SUM(m.[数量]) AS [合计], SUM(m.[金额]) AS [金额]
FROM [his].[dbo].[门诊处方明细] m
INNER JOIN [his].[dbo].[门诊处方] c ON c.[处方号] = m.[处方号]
INNER JOIN [his].[dbo].[人员表] r ON r.[工号] = c.[医生工号]
INNER JOIN [his].[dbo].[药品字典] y ON y.[药品编码] = m.[药品编码]
WHERE c.[开方日期] >= '2024-07-01' AND c.[开方日期] < '2024-08-01'
GROUP BY r.[姓名], y.[药品名称], y.[规格]
ORDER BY r.[姓名], [金额] DESC;

-- @innocent 方正 style (SQL Server, bracketed Chinese): same prescriptions per dispensing pharmacy x drug
SELECT c.[药房编码], y.[药品名称], y.[规格],
       SUM(m.[数量]) AS [合计], SUM(m.[金额]) AS [金额]
FROM [his].[dbo].[门诊处方明细] m
INNER JOIN [his].[dbo].[门诊处方] c ON c.[处方号] = m.[处方号]
INNER JOIN [his].[dbo].[药品字典] y ON y.[药品编码] = m.[药品编码]
WHERE c.[开方日期] >= '2024-07-01' AND c.[开方日期] < '2024-08-01'
GROUP BY c.[药房编码], y.[药品名称], y.[规格]
ORDER BY c.[药房编码], [金额] DESC;

-- @tongfang GaussDB: per drug, top 5 doctors with their share of the drug amount (ROW_NUMBER and SUM OVER PARTITION BY drug)
SELECT *
FROM (
    SELECT drug_code, doctor_code, SUM(amount) AS amt,
           ROUND(100 * SUM(amount) / SUM(SUM(amount)) OVER (PARTITION BY drug_code), 2) AS pct,
           ROW_NUMBER() OVER (PARTITION BY drug_code ORDER BY SUM(amount) DESC) AS rn
    FROM dws.f_presc_item
    WHERE presc_date >= DATE '2024-01-01'
    GROUP BY drug_code, doctor_code
) x
WHERE rn <= 5
ORDER BY drug_code, rn;

-- @innocent GaussDB: per department, top 5 drugs with their share of the department drug amount
SELECT *
FROM (
    SELECT dept_code, drug_code, SUM(amount) AS amt,
           ROUND(100 * SUM(amount) / SUM(SUM(amount)) OVER (PARTITION BY dept_code), 2) AS pct,
           ROW_NUMBER() OVER (PARTITION BY dept_code ORDER BY SUM(amount) DESC) AS rn
    FROM dws.f_presc_item
    WHERE presc_date >= DATE '2024-01-01'
    GROUP BY dept_code, drug_code
) x
WHERE rn <= 5
ORDER BY dept_code, rn;

-- @tongfang 达梦 DM8: one drug fixed by name LIKE, top 20 doctors (HR_EMP name) by quantity, FETCH FIRST
SELECT u.NAME AS 医生姓名, SUM(d.QTY) AS 数量, SUM(d.AMOUNT) AS 金额
FROM HIS.OUTP_PRESC_DETAIL d
JOIN HIS.OUTP_PRESC p ON p.PRESC_ID = d.PRESC_ID
JOIN HIS.HR_EMP u ON u.EMP_NO = p.DOCTOR_NO
WHERE d.DRUG_NAME LIKE '%阿托伐他汀%'
  AND p.PRESC_DATE >= TRUNC(SYSDATE, 'MM')
GROUP BY u.NAME
ORDER BY 数量 DESC
FETCH FIRST 20 ROWS ONLY;

-- @innocent 达梦 DM8: hospital-wide top 20 drugs by quantity this month, FETCH FIRST
SELECT d.DRUG_CODE, d.DRUG_NAME, SUM(d.QTY) AS 数量, SUM(d.AMOUNT) AS 金额
FROM HIS.OUTP_PRESC_DETAIL d
JOIN HIS.OUTP_PRESC p ON p.PRESC_ID = d.PRESC_ID
WHERE p.PRESC_DATE >= TRUNC(SYSDATE, 'MM')
GROUP BY d.DRUG_CODE, d.DRUG_NAME
ORDER BY 数量 DESC
FETCH FIRST 20 ROWS ONLY;

-- @tongfang Oracle: ROWNUM pagination, three levels deep, over YSGH x YPDM amounts
SELECT *
FROM (
    SELECT t.*, ROWNUM AS rn
    FROM (
        SELECT a.YSGH, a.YPDM, SUM(a.JE) AS JE
        FROM (
            SELECT c.YSGH, m.YPDM, m.JE
            FROM MZ_CF c, MZ_CFMX m
            WHERE c.CFH = m.CFH AND c.CFRQ >= DATE '2024-01-01'
        ) a
        GROUP BY a.YSGH, a.YPDM
        ORDER BY JE DESC
    ) t
    WHERE ROWNUM <= 100
)
WHERE rn > 50;

-- @innocent Oracle: ROWNUM pagination, three levels deep, over per-patient drug amounts
SELECT *
FROM (
    SELECT t.*, ROWNUM AS rn
    FROM (
        SELECT a.BRID, SUM(a.JE) AS JE
        FROM (
            SELECT c.BRID, m.YPDM, m.JE
            FROM MZ_CF c, MZ_CFMX m
            WHERE c.CFH = m.CFH AND c.CFRQ >= DATE '2024-01-01'
        ) a
        GROUP BY a.BRID
        ORDER BY JE DESC
    ) t
    WHERE ROWNUM <= 100
)
WHERE rn > 50;

-- @tongfang generic: filters carried in JOIN ON (staff post 医师, item_dict is_drug 1), charge detail per doctor x drug
SELECT s.name AS doctor, d.name AS drug,
       SUM(o.qty) AS qty, SUM(o.amount) AS amount
FROM charge_detail o
JOIN staff s ON s.id = o.doctor_id AND s.post = '医师'
JOIN item_dict d ON d.code = o.item_code AND d.is_drug = 1
WHERE o.charge_time >= '2024-02-01' AND o.charge_time < '2024-03-01'
GROUP BY s.name, d.name
ORDER BY s.name, amount DESC;

-- @innocent generic: same style, dispense records per pharmacist (staff post 药师 as dispenser) x drug
SELECT s.name AS pharmacist, d.name AS drug,
       SUM(r.qty) AS qty, COUNT(*) AS lines
FROM dispense_record r
JOIN staff s ON s.id = r.dispenser_id AND s.post = '药师'
JOIN item_dict d ON d.code = r.item_code AND d.is_drug = 1
WHERE r.dispense_time >= '2024-02-01' AND r.dispense_time < '2024-03-01'
GROUP BY s.name, d.name
ORDER BY s.name, qty DESC;

-- @tongfang site schema: one doctor fixed with IN (SELECT from hr_emp by name and dept), inpatient med orders grouped per drug
SELECT i.drug_code, i.drug_name,
       COUNT(DISTINCT i.order_id) AS order_cnt, SUM(i.qty) AS qty
FROM ip_med_order i
WHERE i.order_doctor_no IN (SELECT emp_no FROM hr_emp
                            WHERE emp_name = '王海燕' AND dept_name = '心内科')
  AND i.start_time >= '2024-01-01'
GROUP BY i.drug_code, i.drug_name
ORDER BY qty DESC;

-- @innocent site schema: one drug fixed with IN (SELECT from drug_dict by generic name), grouped per inpatient
SELECT i.patient_id, i.inpatient_no, SUM(i.qty) AS qty
FROM ip_med_order i
WHERE i.drug_code IN (SELECT drug_code FROM drug_dict
                      WHERE generic_name = '人血白蛋白')
  AND i.start_time >= '2024-01-01'
GROUP BY i.patient_id, i.inpatient_no
ORDER BY qty DESC;

-- @tongfang pinyin lower: UNION ALL of per-drug pieces, each grouped by ysdm, with a literal drug label column
SELECT ysdm, '头孢呋辛酯片' AS ypmc, SUM(sl) AS sl, SUM(je) AS je
FROM mz_cfmx WHERE ypdm = '01020031' AND cfrq >= '2024-05-01' GROUP BY ysdm
UNION ALL
SELECT ysdm, '左氧氟沙星片', SUM(sl), SUM(je)
FROM mz_cfmx WHERE ypdm = '01050012' AND cfrq >= '2024-05-01' GROUP BY ysdm
UNION ALL
SELECT ysdm, '奥美拉唑肠溶胶囊', SUM(sl), SUM(je)
FROM mz_cfmx WHERE ypdm = '02010044' AND cfrq >= '2024-05-01' GROUP BY ysdm
ORDER BY 1, 4 DESC;

-- @innocent pinyin lower: UNION ALL of per-drug pieces, hospital totals only
SELECT '头孢呋辛酯片' AS ypmc, SUM(sl) AS sl, SUM(je) AS je
FROM mz_cfmx WHERE ypdm = '01020031' AND cfrq >= '2024-05-01'
UNION ALL
SELECT '左氧氟沙星片', SUM(sl), SUM(je)
FROM mz_cfmx WHERE ypdm = '01050012' AND cfrq >= '2024-05-01'
UNION ALL
SELECT '奥美拉唑肠溶胶囊', SUM(sl), SUM(je)
FROM mz_cfmx WHERE ypdm = '02010044' AND cfrq >= '2024-05-01';

-- @tongfang MySQL: doctor x drug amounts over 10000 in Q1 via HAVING, LIMIT OFFSET paging
SELECT r.doctor_no, e.emp_name, d.drug_no, d.drug_name, SUM(d.amount) AS amt
FROM outp_recipe r
JOIN outp_recipe_drug d ON d.recipe_no = r.recipe_no
JOIN hr_emp e ON e.emp_no = r.doctor_no
WHERE r.recipe_date BETWEEN '2024-01-01' AND '2024-03-31'
GROUP BY r.doctor_no, e.emp_name, d.drug_no, d.drug_name
HAVING SUM(d.amount) > 10000
ORDER BY amt DESC
LIMIT 50 OFFSET 0;

-- @innocent MySQL: doctors prescribing more than 80 distinct drugs in Q1 via HAVING COUNT(DISTINCT), per doctor only
SELECT r.doctor_no, e.emp_name,
       COUNT(DISTINCT d.drug_no) AS drug_kinds, SUM(d.amount) AS amt
FROM outp_recipe r
JOIN outp_recipe_drug d ON d.recipe_no = r.recipe_no
JOIN hr_emp e ON e.emp_no = r.doctor_no
WHERE r.recipe_date BETWEEN '2024-01-01' AND '2024-03-31'
GROUP BY r.doctor_no, e.emp_name
HAVING COUNT(DISTINCT d.drug_no) > 80
ORDER BY drug_kinds DESC
LIMIT 50 OFFSET 0;

-- @tongfang Oracle: UNPIVOT a wide yearly report (one row per YSDM x YPDM, month columns) into doctor x drug x month rows
SELECT ysdm, ypdm, yf, je
FROM RPT_YS_YP_YEAR
UNPIVOT (je FOR yf IN (M01 AS '01', M02 AS '02', M03 AS '03',
                       M04 AS '04', M05 AS '05', M06 AS '06'))
WHERE nd = '2024'
  AND je > 0
ORDER BY ysdm, ypdm, yf;

-- @innocent Oracle: UNPIVOT a wide yearly month-end stock table (one row per YPDM) into drug x month rows
SELECT ypdm, yf, kcsl
FROM RPT_YP_KC_YEAR
UNPIVOT (kcsl FOR yf IN (M01 AS '01', M02 AS '02', M03 AS '03',
                         M04 AS '04', M05 AS '05', M06 AS '06'))
WHERE nd = '2024'
ORDER BY ypdm, yf;

-- @tongfang Meditech Data Repository (SQL Server): PhaRx per ordering provider x pharmacy drug, Rx count and dispense quantity
SELECT rx.OrderingProviderID, p.Name AS Provider, rx.PhaDrugID, d.Name AS Drug,
       COUNT(*) AS RxCount, SUM(rx.DispenseQty) AS Qty
FROM livedb.dbo.PhaRx rx
JOIN livedb.dbo.DMisProvider p ON p.SourceID = rx.SourceID AND p.ProviderID = rx.OrderingProviderID
JOIN livedb.dbo.DPhaDrugData d ON d.SourceID = rx.SourceID AND d.DrugID = rx.PhaDrugID
WHERE rx.StartDateTime >= '2024-01-01'
GROUP BY rx.OrderingProviderID, p.Name, rx.PhaDrugID, d.Name
ORDER BY Provider, RxCount DESC;

-- @innocent Meditech Data Repository (SQL Server): audit trail of users who opened pharmacy routines in the last week
SELECT a.UserID, a.AccessDateTime, a.AccountNumber, a.Routine, a.Terminal
FROM livedb.dbo.MisAuditLog a
WHERE a.Routine LIKE 'PHA%'
  AND a.AccessDateTime >= DATEADD(DAY, -7, GETDATE())
ORDER BY a.AccessDateTime DESC;

