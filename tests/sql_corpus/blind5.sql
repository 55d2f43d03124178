-- Blind corpus no. 5 of HIS SQL statements for testing a 统方 (per-doctor per-drug prescription statistics) detector.
-- Written blind by a fifth engineer from own knowledge of hospital databases, without looking at any existing code, tests or corpora.
-- Format: each case is a label line "-- @tongfang <note>" or "-- @innocent <note>", then one SQL statement ending with a semicolon, then a blank line.
-- Definition: @tongfang = the result gives prescription figures (quantity, amount, count, rank) per prescribing doctor AND per drug,
-- including the case where one of the two is fixed to a single value in WHERE and the result is grouped by the other.
-- Innocent cases are near-twin statements lacking one of the two dimensions (hospital or department drug totals, doctor workload, stock, one patient, DBA work etc.).
-- Held out (stop 29): measured once, after that stop's changes (a table joined to a doctor or drug column stands for it,
-- markers written other ways round) and before any change of its own: precision 1.000, recall 0.875 (35 of 40);
-- the code before those changes scored the same. Never tune the analyser on it.

-- @tongfang ZLHIS Oracle, 病人费用记录 drug fee classes 5/6/7, GROUP BY 开单人 and drug, (+) outer join
SELECT a.开单人, b.编码 AS 药品编码, b.名称 AS 药品名称, b.规格,
       SUM(a.数次 * NVL(a.付数, 1)) AS 数量, SUM(a.实收金额) AS 金额
FROM 病人费用记录 a, 收费项目目录 b
WHERE a.收费细目id = b.id(+)
  AND a.收费类别 IN ('5', '6', '7')
  AND a.记录状态 IN (1, 3)
  AND a.登记时间 BETWEEN TO_DATE('2024-03-01', 'yyyy-mm-dd') AND TO_DATE('2024-03-31 23:59:59', 'yyyy-mm-dd hh24:mi:ss')
GROUP BY a.开单人, b.编码, b.名称, b.规格
ORDER BY a.开单人, 金额 DESC;

-- @innocent ZLHIS Oracle, same fee table and drug classes but per-drug hospital totals, no 开单人
SELECT b.编码 AS 药品编码, b.名称 AS 药品名称, b.规格,
       SUM(a.数次 * NVL(a.付数, 1)) AS 数量, SUM(a.实收金额) AS 金额
FROM 病人费用记录 a, 收费项目目录 b
WHERE a.收费细目id = b.id(+)
  AND a.收费类别 IN ('5', '6', '7')
  AND a.记录状态 IN (1, 3)
  AND a.登记时间 BETWEEN TO_DATE('2024-03-01', 'yyyy-mm-dd') AND TO_DATE('2024-03-31 23:59:59', 'yyyy-mm-dd hh24:mi:ss')
GROUP BY b.编码, b.名称, b.规格
ORDER BY 金额 DESC;

-- @tongfang Winning (卫宁) SQL Server, TOP and (nolock), outpatient prescriptions grouped by ysdm and drug name/spec
SELECT TOP 200 c.ysdm, z.name AS 医生, m.ypmc, m.ypgg,
       SUM(m.ypsl * m.cfts) AS 总量,
       SUM(m.ypsl * m.cfts * m.ypdj) AS 总金额
FROM SF_MZCFK c (nolock)
JOIN SF_CFMXK m (nolock) ON m.cfxh = c.xh
LEFT JOIN YY_ZGBMK z (nolock) ON z.id = c.ysdm
WHERE c.jlzt = 0 AND c.lrrq >= '20240101' AND c.lrrq < '20240201'
GROUP BY c.ysdm, z.name, m.ypmc, m.ypgg
ORDER BY 总金额 DESC;

-- @innocent Winning (卫宁) SQL Server, same tables, per-doctor prescription count and amount without drug breakdown
SELECT TOP 200 c.ysdm, ISNULL(z.name, '未知') AS 医生,
       COUNT(DISTINCT c.xh) AS 处方张数,
       SUM(m.ypsl * m.cfts * m.ypdj) AS 处方金额
FROM SF_MZCFK c (nolock)
JOIN SF_CFMXK m (nolock) ON m.cfxh = c.xh
LEFT JOIN YY_ZGBMK z (nolock) ON z.id = c.ysdm
WHERE c.jlzt = 0 AND c.lrrq >= '20240101' AND c.lrrq < '20240201'
GROUP BY c.ysdm, z.name
ORDER BY 处方金额 DESC;

-- @tongfang DHC iMedical Caché SQL, -> implicit joins, OE_OrdItem grouped by OEORI_Doctor_DR and OEORI_ItmMast_DR (drug order type R)
SELECT OEORI_Doctor_DR->CTPCP_Code AS DocCode, OEORI_Doctor_DR->CTPCP_Desc AS DocName,
       OEORI_ItmMast_DR->ARCIM_Code AS ArcimCode, OEORI_ItmMast_DR->ARCIM_Desc AS ArcimDesc,
       SUM(OEORI_PhQtyOrd) AS TotalQty, COUNT(*) AS OrdCount
FROM SQLUser.OE_OrdItem
WHERE OEORI_SttDat BETWEEN {d '2024-05-01'} AND {d '2024-05-31'}
  AND OEORI_ItmMast_DR->ARCIM_ItemCat_DR->ARCIC_OrderType = 'R'
  AND OEORI_ItemStat_DR->OSTAT_Code <> 'D'
GROUP BY OEORI_Doctor_DR, OEORI_ItmMast_DR
ORDER BY TotalQty DESC;

-- @innocent DHC iMedical Caché SQL, same shape but per ordering department and drug, no doctor
SELECT OEORI_OrdDept_DR->CTLOC_Code AS LocCode, OEORI_OrdDept_DR->CTLOC_Desc AS LocDesc,
       OEORI_ItmMast_DR->ARCIM_Code AS ArcimCode, OEORI_ItmMast_DR->ARCIM_Desc AS ArcimDesc,
       SUM(OEORI_PhQtyOrd) AS TotalQty, COUNT(*) AS OrdCount
FROM SQLUser.OE_OrdItem
WHERE OEORI_SttDat BETWEEN {d '2024-05-01'} AND {d '2024-05-31'}
  AND OEORI_ItmMast_DR->ARCIM_ItemCat_DR->ARCIC_OrderType = 'R'
  AND OEORI_ItemStat_DR->OSTAT_Code <> 'D'
GROUP BY OEORI_OrdDept_DR, OEORI_ItmMast_DR
ORDER BY TotalQty DESC;

-- @tongfang Neusoft (东软) HIS Oracle, FIN_OPB_FEEDETAIL with DRUG_FLAG, one drug fixed by ITEM_CODE, figures per DOCT_CODE
SELECT e.EMPL_NAME 医生, d.DOCT_CODE, SUM(d.QTY) 数量, SUM(d.TOT_COST) 金额
FROM FIN_OPB_FEEDETAIL d, COM_EMPLOYEE e
WHERE d.DOCT_CODE = e.EMPL_CODE(+)
  AND d.DRUG_FLAG = '1'
  AND d.ITEM_CODE = 'Y00000012345'
  AND d.PAY_FLAG = '1'
  AND d.CANCEL_FLAG = '1'
  AND d.FEE_DATE >= TRUNC(SYSDATE, 'MM')
GROUP BY e.EMPL_NAME, d.DOCT_CODE
ORDER BY 数量 DESC;

-- @innocent Neusoft (东软) HIS Oracle, same single drug but figures per registration department, no doctor
SELECT p.DEPT_NAME 科室, d.REG_DPCD, SUM(d.QTY) 数量, SUM(d.TOT_COST) 金额
FROM FIN_OPB_FEEDETAIL d, COM_DEPARTMENT p
WHERE d.REG_DPCD = p.DEPT_CODE(+)
  AND d.DRUG_FLAG = '1'
  AND d.ITEM_CODE = 'Y00000012345'
  AND d.PAY_FLAG = '1'
  AND d.CANCEL_FLAG = '1'
  AND d.FEE_DATE >= TRUNC(SYSDATE, 'MM')
GROUP BY p.DEPT_NAME, d.REG_DPCD
ORDER BY 数量 DESC;

-- @tongfang B-soft (创业慧康) upper-case pinyin, ROW_NUMBER top 10 drugs within each doctor YSDM
SELECT * FROM (
  SELECT a.YSDM, g.YGXM, b.YPXH, t.YPMC, SUM(b.YPSL) AS ZSL, SUM(b.HJJE) AS ZJE,
         ROW_NUMBER() OVER (PARTITION BY a.YSDM ORDER BY SUM(b.HJJE) DESC) AS PM
  FROM MS_CF01 a
  JOIN MS_CF02 b ON b.CFSB = a.CFSB
  JOIN YK_TYPK t ON t.YPXH = b.YPXH
  LEFT JOIN GY_YGDM g ON g.YGDM = a.YSDM
  WHERE a.KFRQ >= DATE '2024-06-01' AND a.KFRQ < DATE '2024-07-01' AND a.ZFPB = 0
  GROUP BY a.YSDM, g.YGXM, b.YPXH, t.YPMC
) x
WHERE x.PM <= 10;

-- @innocent B-soft (创业慧康) upper-case pinyin, ROW_NUMBER top 10 drugs within each department KSDM, no doctor
SELECT * FROM (
  SELECT a.KSDM, k.KSMC, b.YPXH, t.YPMC, SUM(b.YPSL) AS ZSL, SUM(b.HJJE) AS ZJE,
         ROW_NUMBER() OVER (PARTITION BY a.KSDM ORDER BY SUM(b.HJJE) DESC) AS PM
  FROM MS_CF01 a
  JOIN MS_CF02 b ON b.CFSB = a.CFSB
  JOIN YK_TYPK t ON t.YPXH = b.YPXH
  LEFT JOIN GY_KSDM k ON k.KSDM = a.KSDM
  WHERE a.KFRQ >= DATE '2024-06-01' AND a.KFRQ < DATE '2024-07-01' AND a.ZFPB = 0
  GROUP BY a.KSDM, k.KSMC, b.YPXH, t.YPMC
) x
WHERE x.PM <= 10;

-- @tongfang Epic Clarity T-SQL, ORDER_MED joined to CLARITY_SER and CLARITY_MEDICATION, grouped by provider and medication
SELECT ser.PROV_NAME, med.NAME AS MED_NAME,
       COUNT(*) AS ORDER_COUNT,
       SUM(TRY_CAST(om.QUANTITY AS numeric(12, 2))) AS TOTAL_QTY
FROM ORDER_MED om
INNER JOIN CLARITY_SER ser ON ser.PROV_ID = om.AUTHRZING_PROV_ID
INNER JOIN CLARITY_MEDICATION med ON med.MEDICATION_ID = om.MEDICATION_ID
WHERE om.ORDERING_DATE >= '2024-01-01' AND om.ORDER_STATUS_C NOT IN (4, 7)
GROUP BY ser.PROV_NAME, med.NAME
HAVING COUNT(*) >= 5
ORDER BY ser.PROV_NAME, ORDER_COUNT DESC;

-- @innocent Epic Clarity T-SQL, same joins but per-medication counts only, provider table used only as a type filter
SELECT med.NAME AS MED_NAME,
       COUNT(*) AS ORDER_COUNT,
       COUNT(DISTINCT om.PAT_ID) AS PATIENTS
FROM ORDER_MED om
INNER JOIN CLARITY_SER ser ON ser.PROV_ID = om.AUTHRZING_PROV_ID
INNER JOIN CLARITY_MEDICATION med ON med.MEDICATION_ID = om.MEDICATION_ID
WHERE om.ORDERING_DATE >= '2024-01-01' AND om.ORDER_STATUS_C NOT IN (4, 7)
  AND ser.PROV_TYPE = 'Resident'
GROUP BY med.NAME
HAVING COUNT(*) >= 5
ORDER BY ORDER_COUNT DESC;

-- @tongfang Cerner Millennium Oracle, orders + order_action + prsnl, pharmacy catalog type, grouped by ordering provider and order_mnemonic
SELECT p.name_full_formatted AS prescriber, o.order_mnemonic AS medication,
       COUNT(DISTINCT o.order_id) AS orders
FROM orders o
JOIN order_action oa ON oa.order_id = o.order_id AND oa.action_sequence = 1
JOIN prsnl p ON p.person_id = oa.order_provider_id
JOIN code_value cv ON cv.code_value = o.catalog_type_cd AND cv.code_set = 6000 AND cv.cdf_meaning = 'PHARMACY'
WHERE o.orig_order_dt_tm >= TO_DATE('01-JAN-2024', 'DD-MON-YYYY')
  AND o.template_order_flag IN (0, 1)
GROUP BY p.name_full_formatted, o.order_mnemonic
ORDER BY orders DESC;

-- @innocent Cerner Millennium Oracle, same joins, detail list of medication orders of one single encounter with prescriber name
SELECT o.order_id, o.order_mnemonic, o.clinical_display_line,
       p.name_full_formatted AS ordering_provider, o.orig_order_dt_tm
FROM orders o
JOIN order_action oa ON oa.order_id = o.order_id AND oa.action_sequence = 1
JOIN prsnl p ON p.person_id = oa.order_provider_id
JOIN code_value cv ON cv.code_value = o.catalog_type_cd AND cv.code_set = 6000 AND cv.cdf_meaning = 'PHARMACY'
WHERE o.encntr_id = 48213377
ORDER BY o.orig_order_dt_tm;

-- @tongfang OMOP CDM PostgreSQL, drug_exposure by provider and drug concept, ::casts and FILTER
SELECT pr.provider_source_value AS prescriber, c.concept_name AS drug_product,
       COUNT(*) AS exposures,
       SUM(de.quantity)::numeric(14, 2) AS total_quantity,
       COUNT(*) FILTER (WHERE de.refills > 0) AS with_refills
FROM cdm.drug_exposure de
JOIN cdm.provider pr ON pr.provider_id = de.provider_id
JOIN cdm.concept c ON c.concept_id = de.drug_concept_id
WHERE de.drug_exposure_start_date >= '2023-01-01'::date
  AND de.drug_type_concept_id = 38000177
GROUP BY pr.provider_source_value, c.concept_name;

-- @innocent OMOP CDM PostgreSQL, per drug concept only, provider_id appears only inside COUNT DISTINCT and FILTER
SELECT c.concept_name AS drug_product,
       COUNT(*) AS exposures,
       COUNT(DISTINCT de.person_id) AS persons,
       COUNT(DISTINCT de.provider_id) AS n_prescribers,
       SUM(de.quantity)::numeric(14, 2) AS total_quantity,
       COUNT(*) FILTER (WHERE de.provider_id IS NULL) AS without_provider
FROM cdm.drug_exposure de
JOIN cdm.concept c ON c.concept_id = de.drug_concept_id
WHERE de.drug_exposure_start_date >= '2023-01-01'::date
  AND de.drug_type_concept_id = 38000177
GROUP BY c.concept_name;

-- @tongfang ClickHouse warehouse, f_presc_line with d_clinician and d_material dimensions, per clinician per material per month
SELECT c.clinician_name, m.material_name, toStartOfMonth(f.presc_date) AS mon,
       sum(f.qty) AS qty, round(sum(f.line_amount), 2) AS amt, uniqExact(f.patient_key) AS pats
FROM dwd.f_presc_line AS f
ANY LEFT JOIN dim.d_clinician AS c ON c.clinician_key = f.clinician_key
ANY LEFT JOIN dim.d_material AS m ON m.material_key = f.material_key
WHERE f.presc_date >= '2024-01-01' AND m.material_class = 'DRUG'
GROUP BY c.clinician_name, m.material_name, mon
ORDER BY amt DESC
LIMIT 500;

-- @innocent ClickHouse warehouse, same fact table, per material per month, clinicians only counted via uniqExact
SELECT m.material_name, toStartOfMonth(f.presc_date) AS mon,
       sum(f.qty) AS qty, round(sum(f.line_amount), 2) AS amt, uniqExact(f.clinician_key) AS prescribers
FROM dwd.f_presc_line AS f
ANY LEFT JOIN dim.d_material AS m ON m.material_key = f.material_key
WHERE f.presc_date >= '2024-01-01' AND m.material_class = 'DRUG'
GROUP BY m.material_name, mon
ORDER BY mon, amt DESC
LIMIT 500;

-- @tongfang Hive SQL INSERT OVERWRITE partition, snake_case pinyin kdys_gh and yp_bm grouping
INSERT OVERWRITE TABLE ads.ads_mz_tj_0630 PARTITION (dt = '2024-06-30')
SELECT t.kdys_gh, t.kdys_xm, t.yp_bm, t.yp_mc,
       SUM(t.sl) AS yp_sl, SUM(t.je) AS yp_je, COUNT(DISTINCT t.cf_h) AS cf_s
FROM dwd.dwd_mz_cfmx t
WHERE t.dt BETWEEN '2024-06-01' AND '2024-06-30' AND t.sfzf = '0'
GROUP BY t.kdys_gh, t.kdys_xm, t.yp_bm, t.yp_mc;

-- @innocent Hive SQL INSERT OVERWRITE partition, same table, dispensing per pharmacy window fy_ck and drug
INSERT OVERWRITE TABLE ads.ads_mz_fyck_0630 PARTITION (dt = '2024-06-30')
SELECT t.fy_ck, t.yp_bm, t.yp_mc,
       SUM(t.sl) AS yp_sl, SUM(t.je) AS yp_je, COUNT(DISTINCT t.cf_h) AS cf_s
FROM dwd.dwd_mz_cfmx t
WHERE t.dt BETWEEN '2024-06-01' AND '2024-06-30' AND t.sfzf = '0' AND t.fy_bz = '1'
GROUP BY t.fy_ck, t.yp_bm, t.yp_mc;

-- @tongfang Doris/StarRocks MySQL dialect, CASE WHEN pivot with doctors as rows and three statins/antiplatelet drugs as columns
SELECT ys.zgxm AS `医生`,
       SUM(CASE WHEN mx.ypbm = '86900001' THEN mx.je ELSE 0 END) AS `阿托伐他汀钙片`,
       SUM(CASE WHEN mx.ypbm = '86900002' THEN mx.je ELSE 0 END) AS `瑞舒伐他汀钙片`,
       SUM(CASE WHEN mx.ypbm = '86900003' THEN mx.je ELSE 0 END) AS `硫酸氢氯吡格雷片`
FROM ods_his.cf_mx mx
JOIN ods_his.zg_zd ys ON ys.zgbm = mx.kdys
WHERE mx.kfsj >= '2024-04-01' AND mx.kfsj < '2024-05-01'
GROUP BY ys.zgxm;

-- @innocent Doris/StarRocks MySQL dialect, same CASE WHEN pivot but departments as rows
SELECT ks.ksmc AS `科室`,
       SUM(CASE WHEN mx.ypbm = '86900001' THEN mx.je ELSE 0 END) AS `阿托伐他汀钙片`,
       SUM(CASE WHEN mx.ypbm = '86900002' THEN mx.je ELSE 0 END) AS `瑞舒伐他汀钙片`,
       SUM(CASE WHEN mx.ypbm = '86900003' THEN mx.je ELSE 0 END) AS `硫酸氢氯吡格雷片`
FROM ods_his.cf_mx mx
JOIN ods_his.ks_zd ks ON ks.ksbm = mx.kdks
WHERE mx.kfsj >= '2024-04-01' AND mx.kfsj < '2024-05-01'
GROUP BY ks.ksmc;

-- @tongfang SQL Server bracketed Chinese identifiers, one named doctor fixed in WHERE, figures per drug
SELECT [药品编码], [药品名称], SUM([数量]) AS [总数量], SUM([金额]) AS [总金额]
FROM [dbo].[门诊处方明细] WITH (NOLOCK)
WHERE [开单医生] = N'王建国'
  AND [处方日期] >= '2024-01-01' AND [处方日期] < '2024-04-01'
GROUP BY [药品编码], [药品名称]
ORDER BY [总金额] DESC;

-- @innocent SQL Server bracketed Chinese identifiers, one department fixed in WHERE, figures per drug
SELECT [药品编码], [药品名称], SUM([数量]) AS [总数量], SUM([金额]) AS [总金额]
FROM [dbo].[门诊处方明细] WITH (NOLOCK)
WHERE [开单科室] = N'心血管内科门诊'
  AND [处方日期] >= '2024-01-01' AND [处方日期] < '2024-04-01'
GROUP BY [药品编码], [药品名称]
ORDER BY [总金额] DESC;

-- @innocent OpenEMR MySQL, per-provider script count and distinct patients, no drug breakdown
SELECT CONCAT(u.lname, ', ', u.fname) AS prescriber,
       COUNT(*) AS scripts, COUNT(DISTINCT p.patient_id) AS patients
FROM `prescriptions` p
JOIN `users` u ON u.id = p.provider_id
WHERE p.active = 1 AND p.date_added >= '2024-01-01'
GROUP BY p.provider_id
ORDER BY scripts DESC
LIMIT 100;

-- @tongfang OpenEMR MySQL, GROUP_CONCAT of drug=count per provider built from a derived table grouped by provider and drug
SELECT x.provider_id,
       GROUP_CONCAT(CONCAT(x.drug, '=', x.n) ORDER BY x.n DESC SEPARATOR ', ') AS drug_counts
FROM (
  SELECT provider_id, drug, COUNT(*) AS n
  FROM prescriptions
  WHERE date_added >= '2024-01-01' AND active = 1
  GROUP BY provider_id, drug
) x
GROUP BY x.provider_id;

-- @tongfang Oracle full-pinyin schema, 统方 hidden in a CTE chain, outer query ranks doctors within each drug
WITH mingxi AS (
  SELECT f.yisheng_bianma, f.yaopin_bianma, f.shuliang, f.jine
  FROM zy_feiyong_mingxi f
  WHERE f.feiyong_leibie IN ('XY', 'ZCY') AND f.jizhang_riqi >= DATE '2024-01-01'
), huizong AS (
  SELECT yisheng_bianma, yaopin_bianma, SUM(shuliang) AS zsl, SUM(jine) AS zje
  FROM mingxi
  GROUP BY yisheng_bianma, yaopin_bianma
)
SELECT h.yisheng_bianma, y.yisheng_xingming, h.yaopin_bianma, p.yaopin_mingcheng, h.zsl, h.zje,
       RANK() OVER (PARTITION BY h.yaopin_bianma ORDER BY h.zje DESC) AS paiming
FROM huizong h
JOIN zd_yisheng y ON y.yisheng_bianma = h.yisheng_bianma
JOIN zd_yaopin p ON p.yaopin_bianma = h.yaopin_bianma;

-- @innocent Oracle full-pinyin schema, CTE chain computing per-department 药占比 and ranking departments
WITH feiyong AS (
  SELECT f.keshi_bianma, f.feiyong_leibie, f.jine
  FROM zy_feiyong_mingxi f
  WHERE f.jizhang_riqi >= DATE '2024-01-01'
), keshi_huizong AS (
  SELECT keshi_bianma,
         SUM(CASE WHEN feiyong_leibie IN ('XY', 'ZCY') THEN jine ELSE 0 END) AS yaopin_jine,
         SUM(jine) AS zong_jine
  FROM feiyong
  GROUP BY keshi_bianma
)
SELECT k.keshi_bianma, d.keshi_mingcheng, k.yaopin_jine, k.zong_jine,
       ROUND(k.yaopin_jine / NULLIF(k.zong_jine, 0) * 100, 2) AS yaozhanbi,
       RANK() OVER (ORDER BY k.yaopin_jine / NULLIF(k.zong_jine, 0) DESC) AS paiming
FROM keshi_huizong k
JOIN zd_keshi d ON d.keshi_bianma = k.keshi_bianma;

-- @tongfang openGauss/GaussDB, GROUPING SETS containing (staff, medicine) with subtotals
SELECT coalesce(d.staff_name, '合计') AS staff_name, coalesce(m.med_name, '小计') AS med_name,
       sum(l.line_amt) AS amt, sum(l.line_qty) AS qty
FROM his.rx_line l
JOIN his.rx_head h ON h.rx_no = l.rx_no
JOIN his.staff d ON d.staff_id = h.presc_staff_id
JOIN his.med_dict m ON m.med_code = l.med_code
WHERE h.rx_time >= '2024-01-01'::timestamp
GROUP BY GROUPING SETS ((d.staff_name, m.med_name), (d.staff_name), ())
ORDER BY 1, 3 DESC;

-- @innocent openGauss/GaussDB, GROUPING SETS over (department, medicine) and (medicine), no staff
SELECT coalesce(k.dept_name, '全院') AS dept_name, coalesce(m.med_name, '小计') AS med_name,
       sum(l.line_amt) AS amt, sum(l.line_qty) AS qty
FROM his.rx_line l
JOIN his.rx_head h ON h.rx_no = l.rx_no
JOIN his.dept k ON k.dept_id = h.dept_id
JOIN his.med_dict m ON m.med_code = l.med_code
WHERE h.rx_time >= '2024-01-01'::timestamp
GROUP BY GROUPING SETS ((k.dept_name, m.med_name), (m.med_name), ())
ORDER BY 1, 3 DESC;

-- @tongfang 达梦 DM (Oracle-compatible), GROUP BY ROLLUP(KDYS, YPBM) whose detail level is per doctor per drug
SELECT T.KDYS, T.YPBM, SUM(T.YPSL) AS SL, SUM(T.YPJE) AS JE
FROM HIS.MZ_CFMX T
WHERE T.CFRQ BETWEEN TO_DATE('20240101', 'YYYYMMDD') AND TO_DATE('20240131', 'YYYYMMDD')
GROUP BY ROLLUP(T.KDYS, T.YPBM);

-- @innocent 达梦 DM, ROLLUP(KSDM, KDYS) of drug amount per doctor, drug code only as a WHERE range
SELECT T.KSDM, T.KDYS, SUM(T.YPSL) AS SL, SUM(T.YPJE) AS JE
FROM HIS.MZ_CFMX T
WHERE T.CFRQ BETWEEN TO_DATE('20240101', 'YYYYMMDD') AND TO_DATE('20240131', 'YYYYMMDD')
  AND T.YPBM BETWEEN 'X0100' AND 'X0199'
GROUP BY ROLLUP(T.KSDM, T.KDYS);

-- @tongfang 人大金仓 Kingbase, quoted Chinese identifiers, GROUP BY CUBE("开单医生", "药品名称")
SELECT "开单医生", "药品名称", SUM("数量") AS "数量合计", SUM("金额") AS "金额合计"
FROM his."住院医嘱执行"
WHERE "执行日期" >= '2024-01-01'::date AND "医嘱类别" = '药品'
GROUP BY CUBE("开单医生", "药品名称");

-- @innocent 人大金仓 Kingbase, same table, CUBE over ward and drug, no doctor
SELECT "病区", "药品名称", SUM("数量") AS "数量合计", SUM("金额") AS "金额合计"
FROM his."住院医嘱执行"
WHERE "执行日期" >= '2024-01-01'::date AND "医嘱类别" = '药品'
GROUP BY CUBE("病区", "药品名称");

-- @tongfang MySQL pinyin schema (金仕达-style), UNION ALL of one block per antibiotic each grouped by doctor ysgh
SELECT '头孢呋辛酯片' AS yp, ysgh, SUM(sl) AS sl, SUM(je) AS je
FROM mz_cfmx WHERE ypbm = 'X0101' AND cfrq >= '2024-06-01' GROUP BY ysgh
UNION ALL
SELECT '左氧氟沙星片', ysgh, SUM(sl), SUM(je)
FROM mz_cfmx WHERE ypbm = 'X0102' AND cfrq >= '2024-06-01' GROUP BY ysgh
UNION ALL
SELECT '阿奇霉素片', ysgh, SUM(sl), SUM(je)
FROM mz_cfmx WHERE ypbm = 'X0103' AND cfrq >= '2024-06-01' GROUP BY ysgh;

-- @innocent MySQL pinyin schema, UNION ALL of outpatient and inpatient blocks per drug, no doctor
SELECT '门诊' AS ly, ypbm, SUM(sl) AS sl, SUM(je) AS je
FROM mz_cfmx WHERE ypbm IN ('X0101', 'X0102', 'X0103') AND cfrq >= '2024-06-01' GROUP BY ypbm
UNION ALL
SELECT '住院', ypbm, SUM(sl), SUM(je)
FROM zy_yzmx WHERE ypbm IN ('X0101', 'X0102', 'X0103') AND zxrq >= '2024-06-01' GROUP BY ypbm;

-- @tongfang TiDB/MySQL SELECT ... INTO OUTFILE export of quantities per doc_no and drug_no
SELECT r.doc_no, r.drug_no, SUM(r.num) AS num, SUM(r.fee) AS fee
FROM opd_recipe_item r
WHERE r.recipe_date >= '2024-05-01' AND r.status <> 9
GROUP BY r.doc_no, r.drug_no
INTO OUTFILE '/tmp/export_0501.csv' FIELDS TERMINATED BY ',' LINES TERMINATED BY '\n';

-- @innocent TiDB/MySQL SELECT ... INTO OUTFILE export of pharmacy stock by batch
SELECT s.drug_no, d.drug_name, d.spec, s.batch_no, s.expire_date, s.stock_qty, s.retail_price
FROM pharm_stock s
JOIN drug_dict d ON d.drug_no = s.drug_no
WHERE s.store_id = 3 AND s.stock_qty > 0
INTO OUTFILE '/tmp/stock_0501.csv' FIELDS TERMINATED BY ',' LINES TERMINATED BY '\n';

-- @tongfang Greenplum CREATE TABLE AS with DISTRIBUTED BY, ordering_provider x med_code counts
CREATE TABLE tmp_opm_0117 AS
SELECT o.ordering_provider, o.med_code, count(*) AS n_orders, sum(o.dispense_qty) AS qty
FROM ods.op_med_order o
WHERE o.order_dt >= date '2024-01-01' AND o.order_status <> 'CANCELLED'
GROUP BY o.ordering_provider, o.med_code
DISTRIBUTED BY (ordering_provider);

-- @innocent Greenplum CREATE TABLE AS, per patient per med_code for an adherence study, no provider
CREATE TABLE tmp_opm_0118 AS
SELECT o.patient_id, o.med_code, count(*) AS n_orders, sum(o.dispense_qty) AS qty
FROM ods.op_med_order o
WHERE o.order_dt >= date '2024-01-01' AND o.order_status <> 'CANCELLED'
GROUP BY o.patient_id, o.med_code
DISTRIBUTED BY (patient_id);

-- @tongfang 南大通用 GBase 8a (MySQL-compatible), CREATE VIEW with backticks, monthly per kdys_dm per drug
CREATE OR REPLACE VIEW `v_mz_yb_0007` AS
SELECT `h`.`kdys_dm`, `y`.`yp_mc`, DATE_FORMAT(`h`.`kf_sj`, '%Y-%m') AS `yf`,
       SUM(`m`.`sl`) AS `sl`, SUM(`m`.`je`) AS `je`
FROM `mz_cf_zb` `h`
JOIN `mz_cf_mx` `m` ON `m`.`cf_id` = `h`.`cf_id`
JOIN `yp_zd` `y` ON `y`.`yp_bm` = `m`.`yp_bm`
GROUP BY `h`.`kdys_dm`, `y`.`yp_mc`, DATE_FORMAT(`h`.`kf_sj`, '%Y-%m');

-- @innocent 南大通用 GBase 8a, CREATE VIEW of the drug price list from yp_zd
CREATE OR REPLACE VIEW `v_yp_jg_0007` AS
SELECT `y`.`yp_bm`, `y`.`yp_mc`, `y`.`gg`, `y`.`dw`, `y`.`lsj`, `y`.`pfj`, `y`.`sccj`
FROM `yp_zd` `y`
WHERE `y`.`ty_bz` = '0'
ORDER BY `y`.`yp_bm`;

-- @tongfang FHIR on BigQuery, MedicationRequest UNNEST coding, grouped by requester practitioner and RxNorm code
SELECT mr.requester.practitionerId AS practitioner, c.code AS rxnorm, c.display,
       COUNT(*) AS n
FROM `proj.fhir.MedicationRequest` AS mr, UNNEST(mr.medication.codeableConcept.coding) AS c
WHERE c.system = 'http://www.nlm.nih.gov/research/umls/rxnorm'
  AND mr.status = 'completed'
  AND mr.authoredOn >= '2023-01-01'
GROUP BY practitioner, rxnorm, c.display
ORDER BY n DESC;

-- @innocent FHIR on BigQuery, MedicationRequest per RxNorm code per month, no requester
SELECT c.code AS rxnorm, c.display, SUBSTR(mr.authoredOn, 1, 7) AS month,
       COUNT(*) AS n
FROM `proj.fhir.MedicationRequest` AS mr, UNNEST(mr.medication.codeableConcept.coding) AS c
WHERE c.system = 'http://www.nlm.nih.gov/research/umls/rxnorm'
  AND mr.status = 'completed'
  AND mr.authoredOn >= '2023-01-01'
GROUP BY rxnorm, c.display, month
ORDER BY month, n DESC;

-- @tongfang i2b2 star schema, observation_fact NDC concepts by provider_dimension and concept_dimension
SELECT f.provider_id, pd.name_char AS provider_name, f.concept_cd, cd.name_char AS drug,
       COUNT(DISTINCT f.encounter_num) AS encounters, SUM(f.nval_num) AS total_units
FROM i2b2demodata.observation_fact f
JOIN i2b2demodata.provider_dimension pd ON pd.provider_id = f.provider_id
JOIN i2b2demodata.concept_dimension cd ON cd.concept_cd = f.concept_cd
WHERE f.concept_cd LIKE 'NDC:%' AND f.start_date >= '2023-07-01'
GROUP BY f.provider_id, pd.name_char, f.concept_cd, cd.name_char;

-- @innocent i2b2 star schema, observation_fact NDC concepts, patient and encounter counts per drug concept only
SELECT f.concept_cd, cd.name_char AS drug,
       COUNT(DISTINCT f.patient_num) AS patients, COUNT(DISTINCT f.encounter_num) AS encounters
FROM i2b2demodata.observation_fact f
JOIN i2b2demodata.concept_dimension cd ON cd.concept_cd = f.concept_cd
WHERE f.concept_cd LIKE 'NDC:%' AND f.start_date >= '2023-07-01'
GROUP BY f.concept_cd, cd.name_char
HAVING COUNT(DISTINCT f.patient_num) > 10;

-- @tongfang VistA via VA CDW T-SQL, RxOut.RxOutpat joined to SStaff and Dim.LocalDrug, per staff per local drug
SELECT s.StaffName, ld.LocalDrugNameWithDose,
       COUNT(rx.RxOutpatSID) AS RxCount, SUM(rx.Qty) AS TotalQty
FROM RxOut.RxOutpat rx
INNER JOIN SStaff.SStaff s ON s.StaffSID = rx.ProviderSID
INNER JOIN Dim.LocalDrug ld ON ld.LocalDrugSID = rx.LocalDrugSID
WHERE rx.Sta3n = 640 AND rx.IssueDate >= '2023-10-01'
GROUP BY s.StaffName, ld.LocalDrugNameWithDose;

-- @innocent VistA via VA CDW T-SQL, fills per local drug per division and window/mail flag, no provider
SELECT f.Sta3n, f.DivisionSID, f.MailWindow, ld.LocalDrugNameWithDose,
       COUNT(*) AS Fills, SUM(f.QtyNumeric) AS TotalQty
FROM RxOut.RxOutpatFill f
INNER JOIN Dim.LocalDrug ld ON ld.LocalDrugSID = f.LocalDrugSID
WHERE f.Sta3n = 640 AND f.FillDateTime >= '2023-10-01'
GROUP BY f.Sta3n, f.DivisionSID, f.MailWindow, ld.LocalDrugNameWithDose;

-- @tongfang OpenMRS MySQL, drug_order for one drug fixed by name, orders and quantity per orderer provider
SELECT pv.identifier AS provider_code,
       CONCAT(pn.given_name, ' ', pn.family_name) AS provider,
       COUNT(o.order_id) AS orders, SUM(dor.quantity) AS qty
FROM orders o
JOIN drug_order dor ON dor.order_id = o.order_id
JOIN drug d ON d.drug_id = dor.drug_inventory_id
JOIN provider pv ON pv.provider_id = o.orderer
LEFT JOIN person_name pn ON pn.person_id = pv.person_id AND pn.preferred = 1
WHERE d.name = 'Amoxicillin 500mg capsule' AND o.voided = 0 AND o.date_activated >= '2024-01-01'
GROUP BY pv.identifier, pn.given_name, pn.family_name
ORDER BY qty DESC;

-- @innocent OpenMRS MySQL, same single drug, orders and quantity per encounter location
SELECT l.name AS location,
       COUNT(o.order_id) AS orders, SUM(dor.quantity) AS qty
FROM orders o
JOIN drug_order dor ON dor.order_id = o.order_id
JOIN drug d ON d.drug_id = dor.drug_inventory_id
JOIN encounter e ON e.encounter_id = o.encounter_id
JOIN location l ON l.location_id = e.location_id
WHERE d.name = 'Amoxicillin 500mg capsule' AND o.voided = 0 AND o.date_activated >= '2024-01-01'
GROUP BY l.name
ORDER BY qty DESC;

-- @tongfang GNU Health PostgreSQL (Tryton), prescription lines per health professional and medicament
SELECT pp.name AS health_prof, pt.name AS medicament,
       COUNT(l.id) AS lines, SUM(l.quantity) AS qty
FROM gnuhealth_prescription_line l
JOIN gnuhealth_prescription_order o ON o.id = l.name
JOIN gnuhealth_healthprofessional hp ON hp.id = o.healthprof
JOIN party_party pp ON pp.id = hp.name
JOIN gnuhealth_medicament m ON m.id = l.medicament
JOIN product_product prd ON prd.id = m.name
JOIN product_template pt ON pt.id = prd.template
WHERE o.prescription_date >= '2024-01-01'
GROUP BY pp.name, pt.name;

-- @innocent GNU Health PostgreSQL, lines of one single prescription order with prescriber and medicament, no aggregation
SELECT o.prescription_id, pp.name AS health_prof, pt.name AS medicament, l.quantity, l.dose, l.start_treatment
FROM gnuhealth_prescription_line l
JOIN gnuhealth_prescription_order o ON o.id = l.name
JOIN gnuhealth_healthprofessional hp ON hp.id = o.healthprof
JOIN party_party pp ON pp.id = hp.name
JOIN gnuhealth_medicament m ON m.id = l.medicament
JOIN product_product prd ON prd.id = m.name
JOIN product_template pt ON pt.id = prd.template
WHERE o.prescription_id = 'PRES-2024-0042'
ORDER BY l.id;

-- @tongfang Meditech Data Repository T-SQL, CROSS APPLY top 5 drugs by dispensed qty for each provider
SELECT p.ProviderID, p.Name AS Provider, t.DrugName, t.Qty
FROM livedb.dbo.DMisProvider p
CROSS APPLY (
  SELECT TOP 5 d.Name AS DrugName, SUM(r.TotalDispenseQty) AS Qty
  FROM livedb.dbo.PhaRx r
  JOIN livedb.dbo.DPhaDrugData d ON d.SourceID = r.SourceID AND d.DrugID = r.DrugID
  WHERE r.SourceID = p.SourceID AND r.PrescribingProviderID = p.ProviderID
    AND r.OrderDateTime >= '2024-01-01'
  GROUP BY d.Name
  ORDER BY SUM(r.TotalDispenseQty) DESC
) t
WHERE p.SourceID = 'MED';

-- @innocent Meditech Data Repository T-SQL, OUTER APPLY 30-day dispensed qty per active drug hospital-wide
SELECT d.DrugID, d.Name AS DrugName, d.DispenseUnit, u.Qty30d
FROM livedb.dbo.DPhaDrugData d
OUTER APPLY (
  SELECT SUM(r.TotalDispenseQty) AS Qty30d
  FROM livedb.dbo.PhaRx r
  WHERE r.SourceID = d.SourceID AND r.DrugID = d.DrugID
    AND r.OrderDateTime >= DATEADD(day, -30, GETDATE())
) u
WHERE d.SourceID = 'MED' AND d.Active = 'Y'
ORDER BY u.Qty30d DESC;

-- @tongfang Oracle PIVOT, doctors (cfys) as rows and three antihypertensive drug codes as columns
SELECT * FROM (
  SELECT s.xm AS doctor, d.ypbm, d.je
  FROM yf_fymx d
  JOIN gy_ry s ON s.rybh = d.cfys
  WHERE d.fyrq >= DATE '2024-03-01'
)
PIVOT (SUM(je) FOR ypbm IN ('A001' AS "氨氯地平片", 'A002' AS "硝苯地平控释片", 'A003' AS "缬沙坦胶囊"))
ORDER BY doctor;

-- @innocent Oracle PIVOT, dispensing windows (fyck) as rows and the same three drug codes as columns
SELECT * FROM (
  SELECT d.fyck AS window_no, d.ypbm, d.sl
  FROM yf_fymx d
  WHERE d.fyrq >= DATE '2024-03-01'
)
PIVOT (SUM(sl) FOR ypbm IN ('A001' AS "氨氯地平片", 'A002' AS "硝苯地平控释片", 'A003' AS "缬沙坦胶囊"))
ORDER BY window_no;

-- @tongfang SQL Server PIVOT transposed, drugs as rows and three doctor codes as columns
SELECT ypmc, [1001] AS 张医生, [1002] AS 李医生, [1003] AS 赵医生
FROM (
  SELECT m.ypmc, c.ysdm, m.sl
  FROM dbo.mzcf_mx m
  JOIN dbo.mzcf c ON c.cfh = m.cfh
  WHERE c.cfrq >= '2024-01-01'
) src
PIVOT (SUM(sl) FOR ysdm IN ([1001], [1002], [1003])) pv;

-- @tongfang OceanBase Oracle mode, LISTAGG of doctor:amount per drug from an inpatient order subquery grouped by drug and doctor
SELECT y.ypmc,
       LISTAGG(t.ysxm || ':' || t.je, ',') WITHIN GROUP (ORDER BY t.je DESC) AS ys_je
FROM (
  SELECT ypid, ysxm, SUM(je) AS je
  FROM zy_yzmx
  WHERE yzlx = 'YP' AND kdrq >= DATE '2024-01-01'
  GROUP BY ypid, ysxm
) t
JOIN yp_zd y ON y.ypid = t.ypid
GROUP BY y.ypmc;

-- @innocent OceanBase Oracle mode, LISTAGG of storeroom:stock per drug (inventory)
SELECT y.ypmc,
       LISTAGG(t.kfmc || ':' || t.kcsl, ',') WITHIN GROUP (ORDER BY t.kcsl DESC) AS kf_kc
FROM (
  SELECT k.ypid, f.kfmc, SUM(k.kcsl) AS kcsl
  FROM yk_kc k
  JOIN yk_kf f ON f.kfid = k.kfid
  GROUP BY k.ypid, f.kfmc
) t
JOIN yp_zd y ON y.ypid = t.ypid
GROUP BY y.ypmc;

-- @tongfang 医保 2.0 fee_list_d, drug charge types 09/10/11, per bilg_dr_codg per hilist_code
SELECT d.bilg_dr_codg, d.bilg_dr_name, d.hilist_code, d.hilist_name,
       SUM(d.cnt) AS cnt, SUM(d.det_item_fee_sumamt) AS sumamt
FROM fee_list_d d
WHERE d.med_chrgitm_type IN ('09', '10', '11')
  AND d.fee_ocur_time >= '2024-01-01'
GROUP BY d.bilg_dr_codg, d.bilg_dr_name, d.hilist_code, d.hilist_name;

-- @innocent 医保 2.0 fee_list_d, drug charge types, per hilist_code per med_type, no billing doctor
SELECT d.hilist_code, d.hilist_name, d.med_type,
       SUM(d.cnt) AS cnt, SUM(d.det_item_fee_sumamt) AS sumamt
FROM fee_list_d d
WHERE d.med_chrgitm_type IN ('09', '10', '11')
  AND d.fee_ocur_time >= '2024-01-01'
GROUP BY d.hilist_code, d.hilist_name, d.med_type;

-- @innocent 医保 2.0 fee_list_d hard case, per billing doctor fee-category totals (西药费 etc.) with no individual drug
SELECT d.bilg_dr_codg, d.bilg_dr_name,
       SUM(CASE WHEN d.med_chrgitm_type = '09' THEN d.det_item_fee_sumamt ELSE 0 END) AS xyf,
       SUM(CASE WHEN d.med_chrgitm_type = '11' THEN d.det_item_fee_sumamt ELSE 0 END) AS zcyf,
       SUM(CASE WHEN d.med_chrgitm_type IN ('03', '04') THEN d.det_item_fee_sumamt ELSE 0 END) AS jcjyf,
       SUM(d.det_item_fee_sumamt) AS zfy
FROM fee_list_d d
WHERE d.fee_ocur_time >= '2024-01-01'
GROUP BY d.bilg_dr_codg, d.bilg_dr_name;

-- @tongfang Kingbase/PostgreSQL, SELECT DISTINCT with SUM() OVER (PARTITION BY ysgh, ypbm), no GROUP BY
SELECT DISTINCT t.ysgh, t.ypbm,
       SUM(t.sl) OVER (PARTITION BY t.ysgh, t.ypbm) AS ys_yp_sl,
       SUM(t.je) OVER (PARTITION BY t.ysgh, t.ypbm) AS ys_yp_je
FROM mz.cfmx t
WHERE t.kfrq >= current_date - interval '30 days';

-- @innocent Kingbase/PostgreSQL, SELECT DISTINCT with SUM() OVER (PARTITION BY ysgh) only, per-doctor totals
SELECT DISTINCT t.ysgh,
       SUM(t.sl) OVER (PARTITION BY t.ysgh) AS ys_sl,
       SUM(t.je) OVER (PARTITION BY t.ysgh) AS ys_je,
       COUNT(t.cfh) OVER (PARTITION BY t.ysgh) AS ys_mx_s
FROM mz.cfmx t
WHERE t.kfrq >= current_date - interval '30 days';

-- @tongfang DHC iMedical Caché SQL, one doctor fixed by CTPCP_Code, figures per drug (ARCIM)
SELECT OEORI_ItmMast_DR->ARCIM_Code AS ArcimCode, OEORI_ItmMast_DR->ARCIM_Desc AS ArcimDesc,
       SUM(OEORI_PhQtyOrd) AS TotalQty, COUNT(*) AS OrdCount
FROM SQLUser.OE_OrdItem
WHERE OEORI_Doctor_DR->CTPCP_Code = '0123'
  AND OEORI_SttDat >= {d '2024-01-01'}
  AND OEORI_ItmMast_DR->ARCIM_ItemCat_DR->ARCIC_OrderType = 'R'
GROUP BY OEORI_ItmMast_DR
ORDER BY TotalQty DESC;

-- @innocent DHC iMedical Caché SQL, one receiving pharmacy location fixed, figures per drug
SELECT OEORI_ItmMast_DR->ARCIM_Code AS ArcimCode, OEORI_ItmMast_DR->ARCIM_Desc AS ArcimDesc,
       SUM(OEORI_PhQtyOrd) AS TotalQty, COUNT(*) AS OrdCount
FROM SQLUser.OE_OrdItem
WHERE OEORI_RecDep_DR->CTLOC_Desc = '门诊西药房'
  AND OEORI_SttDat >= {d '2024-01-01'}
  AND OEORI_ItmMast_DR->ARCIM_ItemCat_DR->ARCIC_OrderType = 'R'
GROUP BY OEORI_ItmMast_DR
ORDER BY TotalQty DESC;

-- @tongfang ZLHIS Oracle, one drug fixed by 收费细目id, per doctor in 人员表 with DECODE on 门诊标志
SELECT p.编号, p.姓名, DECODE(a.门诊标志, 1, '门诊', 2, '住院', '其他') AS 来源,
       SUM(a.数次 * a.付数) AS 数量, SUM(a.实收金额) AS 金额
FROM 病人费用记录 a, 人员表 p
WHERE a.开单人 = p.姓名
  AND a.收费细目id = 10254
  AND a.记录状态 <> 0
  AND a.登记时间 >= ADD_MONTHS(TRUNC(SYSDATE, 'MM'), -1)
GROUP BY p.编号, p.姓名, a.门诊标志
ORDER BY 数量 DESC;

-- @innocent ZLHIS Oracle hard case, 开单人 and drug name both shown but only for one patient stay (病人id + 主页id)
SELECT a.NO AS 单据号, a.开单人, b.名称 AS 项目名称, b.规格, a.数次, a.付数, a.实收金额, a.登记时间
FROM 病人费用记录 a, 收费项目目录 b
WHERE a.收费细目id = b.id
  AND a.病人id = 583021
  AND a.主页id = 2
  AND a.收费类别 IN ('5', '6', '7')
ORDER BY a.登记时间;

-- @tongfang 天健-style SQL Server upper-case initials, EXISTS on special-grade antibiotic dictionary, per KDYS per YPDM
SELECT r.KDYS, r.YPDM, SUM(r.YPSL) AS SL, SUM(r.YPJE) AS JE
FROM CF_MX r WITH (NOLOCK)
WHERE r.CFRQ >= '2024-01-01'
  AND EXISTS (SELECT 1 FROM YP_KJYW k WHERE k.YPDM = r.YPDM AND k.KJJB = '3')
GROUP BY r.KDYS, r.YPDM
ORDER BY r.KDYS, JE DESC;

-- @innocent 天健-style SQL Server, per-doctor antibiotic prescription rate via EXISTS, no drug breakdown
SELECT h.KDYS, COUNT(*) AS CFZS, COUNT(k.CFH) AS KJYW_CFS,
       CAST(COUNT(k.CFH) * 100.0 / COUNT(*) AS DECIMAL(5, 2)) AS SYL
FROM CF_ZB h WITH (NOLOCK)
LEFT JOIN (
  SELECT DISTINCT r.CFH FROM CF_MX r
  WHERE EXISTS (SELECT 1 FROM YP_KJYW k2 WHERE k2.YPDM = r.YPDM)
) k ON k.CFH = h.CFH
WHERE h.CFRQ >= '2024-01-01'
GROUP BY h.KDYS;

-- @innocent 天健-style SQL Server, per-doctor prescription count and amount with drug table only inside NOT EXISTS
SELECT h.KDYS, COUNT(*) AS CFZS, SUM(h.CFJE) AS CFJE
FROM CF_ZB h WITH (NOLOCK)
WHERE h.CFRQ >= '2024-01-01'
  AND NOT EXISTS (
    SELECT 1 FROM CF_MX r JOIN YP_KJYW k ON k.YPDM = r.YPDM
    WHERE r.CFH = h.CFH
  )
GROUP BY h.KDYS;

-- @tongfang Epic Caboodle T-SQL, MedicationOrderFact for one generic (atorvastatin) per authorizing provider and product
SELECT pd.Name AS AuthorizingProvider, pd.Npi, md.Name AS Medication, md.Strength,
       COUNT(*) AS Orders
FROM dbo.MedicationOrderFact mof
INNER JOIN dbo.ProviderDim pd ON pd.ProviderKey = mof.AuthorizedByProviderKey
INNER JOIN dbo.MedicationDim md ON md.MedicationKey = mof.MedicationKey
INNER JOIN dbo.DateDim dd ON dd.DateKey = mof.OrderedDateKey
WHERE md.GenericName LIKE 'atorvastatin%' AND dd.CalendarYear = 2024
GROUP BY pd.Name, pd.Npi, md.Name, md.Strength
ORDER BY Orders DESC;

-- @tongfang Neusoft (东软) inpatient Oracle, INSERT INTO report table SELECT per RECIPE_DOCCODE per DRUG_CODE last month
INSERT INTO RPT_M_0417 (STAT_MONTH, DOC_CODE, DRUG_CODE, DRUG_NAME, QTY, TOT_COST)
SELECT TO_CHAR(m.FEE_DATE, 'yyyymm'), m.RECIPE_DOCCODE, m.DRUG_CODE, m.DRUG_NAME,
       SUM(m.QTY), SUM(m.TOT_COST)
FROM FIN_IPB_MEDICINELIST m
WHERE m.FEE_DATE >= ADD_MONTHS(TRUNC(SYSDATE, 'MM'), -1)
  AND m.FEE_DATE < TRUNC(SYSDATE, 'MM')
GROUP BY TO_CHAR(m.FEE_DATE, 'yyyymm'), m.RECIPE_DOCCODE, m.DRUG_CODE, m.DRUG_NAME;

-- @innocent Neusoft (东软) inpatient Oracle, INSERT INTO report table SELECT per nurse cell per drug, no doctor
INSERT INTO RPT_M_0418 (STAT_MONTH, NURSE_CELL_CODE, DRUG_CODE, DRUG_NAME, QTY, TOT_COST)
SELECT TO_CHAR(m.FEE_DATE, 'yyyymm'), m.NURSE_CELL_CODE, m.DRUG_CODE, m.DRUG_NAME,
       SUM(m.QTY), SUM(m.TOT_COST)
FROM FIN_IPB_MEDICINELIST m
WHERE m.FEE_DATE >= ADD_MONTHS(TRUNC(SYSDATE, 'MM'), -1)
  AND m.FEE_DATE < TRUNC(SYSDATE, 'MM')
GROUP BY TO_CHAR(m.FEE_DATE, 'yyyymm'), m.NURSE_CELL_CODE, m.DRUG_CODE, m.DRUG_NAME;

-- @tongfang PostgreSQL English schema, jsonb_object_agg of med_code to qty per prescriber from a derived table
SELECT o.prescriber_id, s.full_name, jsonb_object_agg(o.med_code, o.qty) AS qty_by_med
FROM (
  SELECT prescriber_id, med_code, sum(dispensed_qty) AS qty
  FROM pharmacy.outpatient_rx_item
  WHERE rx_date >= date_trunc('month', now()) - interval '1 month'
  GROUP BY prescriber_id, med_code
) o
JOIN hr.staff s ON s.staff_id = o.prescriber_id
GROUP BY o.prescriber_id, s.full_name;

-- @tongfang SQL Server pinyin schema, correlated scalar subqueries give two fixed PPI drugs as columns per doctor row
SELECT y.gh, y.xm,
       (SELECT ISNULL(SUM(m.sl), 0) FROM mz_cfmx m
         WHERE m.ysgh = y.gh AND m.ypbm = '0203015' AND m.cfrq >= '2024-01-01') AS 奥美拉唑,
       (SELECT ISNULL(SUM(m.sl), 0) FROM mz_cfmx m
         WHERE m.ysgh = y.gh AND m.ypbm = '0203022' AND m.cfrq >= '2024-01-01') AS 泮托拉唑
FROM ys_zd y
WHERE y.zt = '1';

-- @innocent SQL Server pinyin schema, doctor list with narcotic prescribing right and correlated registration count
SELECT y.gh, y.xm, y.zc, y.mzcfq,
       (SELECT COUNT(*) FROM mz_gh g
         WHERE g.ysgh = y.gh AND g.ghrq >= '2024-01-01' AND g.thbz = 0) AS 挂号人次
FROM ys_zd y
WHERE y.zt = '1' AND y.mzcfq = '1'
ORDER BY y.gh;

-- @innocent DBA maintenance, composite index on doctor and drug columns of the prescription detail table
CREATE INDEX idx_mzcfmx_ysgh_ypbm ON mz_cfmx (ysgh, ypbm, cfrq);

-- @tongfang 众阳-style MySQL 5.x user variables ranking drugs within each doctor, figures per ys_id and yp_id
SELECT z.ys_id, z.yp_id, z.je, z.pm
FROM (
  SELECT s.ys_id, s.yp_id, s.je,
         @pm := IF(@prev = s.ys_id, @pm + 1, 1) AS pm,
         @prev := s.ys_id AS prev_ys
  FROM (
    SELECT ys_id, yp_id, SUM(je) AS je FROM t_mz_cf_yp
    WHERE kf_rq >= '2024-01-01' GROUP BY ys_id, yp_id ORDER BY ys_id, je DESC
  ) s, (SELECT @pm := 0, @prev := NULL) v
) z
WHERE z.pm <= 5;

-- @innocent 众阳-style MySQL 5.x user variables ranking drugs within each patient-visit of one patient, no doctor
SELECT z.jz_id, z.yp_id, z.je, z.pm
FROM (
  SELECT s.jz_id, s.yp_id, s.je,
         @pm := IF(@prev = s.jz_id, @pm + 1, 1) AS pm,
         @prev := s.jz_id AS prev_jz
  FROM (
    SELECT jz_id, yp_id, SUM(je) AS je FROM t_mz_cf_yp
    WHERE br_id = 'P00088231' GROUP BY jz_id, yp_id ORDER BY jz_id, je DESC
  ) s, (SELECT @pm := 0, @prev := NULL) v
) z
WHERE z.pm <= 5;

