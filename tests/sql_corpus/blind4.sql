-- Blind corpus #4: written blind by a fourth engineer (HIS database engineer), without reading the detector's code, tests or docs.
-- Purpose: labelled SQL statements for testing a 统方 (per-doctor x per-drug prescription statistics) detector.
-- Each case: one label line (tongfang or innocent, with a short note), then one SQL statement ending with ';', then a blank line.
-- Schemas imitate Chinese and international HIS vendors and warehouse styles; table/column names are plausible, not guaranteed exact.
-- Definition used: a query whose result gives per-prescribing-doctor, per-drug figures (quantity, amount, count, ranking) is 统方.
-- Held out (stop 28): measured once, after that stop's changes (fee items restricted to drugs, subqueries fixing a
-- drug) and before any change of its own: precision 1.000, recall 0.825 (33 of 40). Never tune the analyser on it.

-- @tongfang 卫宁 Winning THIS4 outpatient (SQL Server): GROUP BY prescribing doctor ysdm and drug ypdm
SELECT a.ysdm, b.ypdm, b.ypmc,
       SUM(b.ypsl * b.cfts) AS zsl,
       SUM(b.ypdj * b.ypsl * b.cfts) AS zje
FROM SF_MZCFK a (nolock)
JOIN SF_MZCFMXK b (nolock) ON b.cfxh = a.xh
WHERE a.sfrq BETWEEN '2024010100:00:00' AND '2024013123:59:59'
  AND a.jlzt = '0'
GROUP BY a.ysdm, b.ypdm, b.ypmc
ORDER BY a.ysdm, zje DESC;

-- @innocent 卫宁 Winning THIS4: outpatient drug consumption ranking, grouped by drug only
SELECT TOP 50 b.ypdm, b.ypmc, b.ypgg,
       SUM(b.ypsl * b.cfts) AS 用量,
       SUM(b.ypdj * b.ypsl * b.cfts) AS 金额
FROM SF_MZCFK a (nolock)
INNER JOIN SF_MZCFMXK b (nolock) ON a.xh = b.cfxh
WHERE a.sfrq >= '20240101' AND a.sfrq < '20240201'
  AND a.jlzt = '0'
GROUP BY b.ypdm, b.ypmc, b.ypgg
ORDER BY 金额 DESC;

-- @tongfang 东华 DHC Caché SQL: implicit -> joins, grouped by OEORI_Doctor_DR and OEORI_ItmMast_DR restricted to drug order type R
SELECT OEORI_Doctor_DR->CTPCP_Code AS DocCode,
       OEORI_Doctor_DR->CTPCP_Desc AS DocName,
       OEORI_ItmMast_DR->ARCIM_Desc AS ArcimDesc,
       SUM(OEORI_PhQtyOrd) AS Qty
FROM SQLUser.OE_OrdItem
WHERE OEORI_SttDat BETWEEN {d '2024-03-01'} AND {d '2024-03-31'}
  AND OEORI_ItmMast_DR->ARCIM_ItemCat_DR->ARCIC_OrderType = 'R'
  AND OEORI_ItemStat_DR->OSTAT_Code <> 'D'
GROUP BY OEORI_Doctor_DR, OEORI_ItmMast_DR;

-- @innocent 东华 DHC Caché SQL: order count per care provider over all order items (workload), no drug dimension
SELECT OEORI_Doctor_DR->CTPCP_Desc AS DocName,
       COUNT(*) AS OrdNum,
       COUNT(DISTINCT OEORI_OEORD_ParRef->OEORD_Adm_DR) AS AdmNum
FROM SQLUser.OE_OrdItem
WHERE OEORI_SttDat >= DATEADD('dd', -30, CURRENT_DATE)
GROUP BY OEORI_Doctor_DR
ORDER BY OrdNum DESC;

-- @tongfang 东华 DHC: one drug fixed via ARC_ItmMast description in WHERE, grouped by ordering care provider only (hard)
SELECT ci.CTPCP_Desc AS 医生,
       SUM(oi.OEORI_PhQtyOrd) AS 数量
FROM SQLUser.OE_OrdItem oi
INNER JOIN SQLUser.ARC_ItmMast am ON am.ARCIM_RowId = oi.OEORI_ItmMast_DR
INNER JOIN SQLUser.CT_CareProv ci ON ci.CTPCP_RowId1 = oi.OEORI_Doctor_DR
WHERE am.ARCIM_Desc %STARTSWITH '注射用头孢唑肟钠'
  AND oi.OEORI_SttDat BETWEEN :StDate AND :EdDate
GROUP BY ci.CTPCP_Desc
ORDER BY 数量 DESC;

-- @innocent 东华 DHC pharmacy: dispensed quantity by dispensing user (发药人, pharmacist) x stock item, not the prescriber
SELECT PHD_FYUser_DR->SSUSR_Name AS 发药人,
       PHDI_INCI_DR->INCI_Desc AS 药品,
       SUM(PHDI_Qty) AS 发药数量
FROM SQLUser.DHC_PHDISITEM, SQLUser.DHC_PHDISPEN
WHERE PHD_RowId = PHDI_PHD_ParRef
  AND PHD_Date BETWEEN {d '2024-03-01'} AND {d '2024-03-31'}
GROUP BY PHD_FYUser_DR, PHDI_INCI_DR;

-- @tongfang 东软 Neusoft HIS5 outpatient fee detail (Oracle): grouped by DOCT_CODE and ITEM_CODE with DRUG_FLAG='1'
select f.doct_code, e.empl_name, f.item_code, f.item_name, f.specs,
       sum(f.qty) qty,
       sum(f.own_cost + f.pub_cost + f.pay_cost) tot_cost
  from fin_opb_feedetail f, com_employee e
 where f.doct_code = e.empl_code
   and f.drug_flag = '1'
   and f.cancel_flag = '1'
   and f.fee_date >= to_date(:begin_date, 'yyyy-mm-dd hh24:mi:ss')
   and f.fee_date <  to_date(:end_date, 'yyyy-mm-dd hh24:mi:ss')
 group by f.doct_code, e.empl_name, f.item_code, f.item_name, f.specs
 order by tot_cost desc;

-- @innocent 东软 Neusoft outpatient fee detail: same table but DRUG_FLAG='0' exam/lab items by doctor x item (not drugs)
select f.doct_code, f.item_code, f.item_name,
       count(distinct f.clinic_code) visits,
       sum(f.own_cost + f.pub_cost + f.pay_cost) tot_cost
  from fin_opb_feedetail f
 where f.drug_flag = '0'
   and f.fee_code in ('025', '026', '027') /* 检查费 化验费 放射费 */
   and f.cancel_flag = '1'
   and f.fee_date between trunc(sysdate, 'MM') and sysdate
 group by f.doct_code, f.item_code, f.item_name;

-- @tongfang 东软 Neusoft inpatient: manufacturer's products fixed via EXISTS on drug/company dictionaries, per RECIPE_DOCCODE per DRUG_CODE (hard)
SELECT m.recipe_doccode AS "开方医生",
       m.drug_code,
       m.drug_name,
       SUM(m.qty) AS "数量",
       SUM(m.tot_cost) AS "金额"
FROM fin_ipb_medicinelist m
WHERE EXISTS (SELECT 1
                FROM pha_com_baseinfo b
                JOIN pha_com_company c ON c.company_code = b.producer_code
               WHERE b.drug_code = m.drug_code
                 AND c.company_name LIKE '%恒康药业%')
  AND m.fee_date BETWEEN trunc(sysdate, 'MM') AND sysdate
GROUP BY m.recipe_doccode, m.drug_code, m.drug_name;

-- @innocent 东软 Neusoft inpatient medicine list: grouped by prescribing department x drug, no doctor
SELECT m.recipe_deptcode AS "开方科室",
       m.drug_code,
       m.drug_name,
       SUM(m.qty) AS "数量",
       SUM(m.tot_cost) AS "金额"
FROM fin_ipb_medicinelist m
WHERE m.fee_date BETWEEN trunc(sysdate, 'MM') AND sysdate
GROUP BY m.recipe_deptcode, m.drug_code, m.drug_name
ORDER BY 1, 5 DESC;

-- @tongfang 创业 B-soft (Oracle): MS_CF01 x MS_CF02, doctor name via GY_YGDM and drug via YK_TYPK, grouped by both
SELECT c.YGXM 医生, d.YPMC 药品, d.YPGG 规格,
       SUM(b.YPSL * b.CFTS) 数量,
       SUM(b.HJJE) 金额
  FROM MS_CF01 a
  JOIN MS_CF02 b ON a.CFSB = b.CFSB
  JOIN GY_YGDM c ON a.YSDM = c.YGDM
  JOIN YK_TYPK d ON b.YPXH = d.YPXH
 WHERE a.KFRQ >= TO_DATE('2024-05-01', 'YYYY-MM-DD')
   AND a.KFRQ <  TO_DATE('2024-06-01', 'YYYY-MM-DD')
   AND a.ZFPB = 0
 GROUP BY c.YGXM, d.YPMC, d.YPGG;

-- @innocent 创业 B-soft: staff dictionary lookup in GY_YGDM (maintenance screen)
SELECT YGDM, YGXM, PYDM, KSDM, YSZC, ZFPB
  FROM GY_YGDM
 WHERE ZFPB = 0
   AND (YGXM LIKE :xm OR PYDM LIKE UPPER(:xm))
 ORDER BY YGDM;

-- @innocent 创业 B-soft: per-doctor 处方平均用药品种数 (COUNT DISTINCT drug per prescription), no per-drug figures
SELECT t.YSDM,
       COUNT(*) AS CFS,
       ROUND(AVG(t.PZS), 2) AS PJPZS
  FROM (SELECT a.CFSB, a.YSDM, COUNT(DISTINCT b.YPXH) AS PZS
          FROM MS_CF01 a
          JOIN MS_CF02 b ON a.CFSB = b.CFSB
         WHERE a.KFRQ >= TRUNC(SYSDATE, 'MM')
           AND a.ZFPB = 0
         GROUP BY a.CFSB, a.YSDM) t
 GROUP BY t.YSDM
 ORDER BY PJPZS DESC;

-- @tongfang 创业 B-soft inpatient fee ZY_FYMX: item id FYXH with type flag YPLX>0 (drug), grouped by doctor YSGH and item (hard)
SELECT f.YSGH,
       f.FYXH,
       MAX(f.FYMC) AS FYMC,
       SUM(f.FYSL) AS FYSL,
       SUM(f.ZJJE) AS ZJJE
  FROM ZY_FYMX f
 WHERE f.YPLX > 0   -- 0=费用项目, 1=西药, 2=中成药, 3=草药
   AND f.FYRQ >= TO_DATE(:ksrq, 'YYYY-MM-DD')
   AND f.FYRQ <  TO_DATE(:jsrq, 'YYYY-MM-DD') + 1
 GROUP BY f.YSGH, f.FYXH;

-- @tongfang 创业 B-soft inpatient orders ZY_BQYZ: DISTINCT + SUM() OVER (PARTITION BY YSGH, YPXH), no GROUP BY
SELECT DISTINCT z.YSGH,
       z.YPXH,
       z.YZMC,
       SUM(z.YCSL * z.MRCS) OVER (PARTITION BY z.YSGH, z.YPXH) AS LJJL
  FROM ZY_BQYZ z
 WHERE z.YPLX > 0
   AND z.KSSJ >= ADD_MONTHS(TRUNC(SYSDATE, 'MM'), -1);

-- @innocent 创业 B-soft inpatient fee: per-doctor daily and cumulative amounts over all fee items (window PARTITION BY doctor only)
SELECT t.YSGH, t.FYRQ, t.DAY_AMT,
       SUM(t.DAY_AMT) OVER (PARTITION BY t.YSGH ORDER BY t.FYRQ ROWS UNBOUNDED PRECEDING) AS CUM_AMT
  FROM (SELECT f.YSGH, TRUNC(f.FYRQ) AS FYRQ, SUM(f.ZJJE) AS DAY_AMT
          FROM ZY_FYMX f
         WHERE f.FYRQ >= TRUNC(SYSDATE, 'MM')
         GROUP BY f.YSGH, TRUNC(f.FYRQ)) t
 ORDER BY t.YSGH, t.FYRQ;

-- @tongfang 中联 ZLHIS (Oracle, bare Chinese identifiers): 门诊费用记录 by 开单人 x 收费细目, 收费类别 5/6/7 = 西药/中成药/中草药
SELECT a.开单人 AS 医生, b.名称 AS 药品, b.规格,
       SUM(a.付数 * a.数次) AS 数量,
       SUM(a.实收金额) AS 金额
  FROM 门诊费用记录 a, 收费项目目录 b
 WHERE a.收费细目id = b.id
   AND a.收费类别 IN ('5', '6', '7')
   AND a.记录状态 IN (1, 3)
   AND a.登记时间 BETWEEN TO_DATE('2024-01-01', 'yyyy-mm-dd')
                      AND TO_DATE('2024-01-31 23:59:59', 'yyyy-mm-dd hh24:mi:ss')
 GROUP BY a.开单人, b.名称, b.规格
 ORDER BY 金额 DESC;

-- @innocent 中联 ZLHIS: 药品收发记录 grouped by 审核人 (dispensing pharmacist) x 药品, not the prescriber
SELECT a.审核人 AS 发药人, b.名称 AS 药品,
       SUM(a.实际数量) AS 发药数量,
       SUM(a.零售金额) AS 金额
  FROM 药品收发记录 a, 收费项目目录 b
 WHERE a.药品id = b.id
   AND a.单据 IN (8, 9)
   AND a.审核日期 >= TRUNC(SYSDATE) - 7
 GROUP BY a.审核人, b.名称;

-- @tongfang 达梦 DM8 (quoted Chinese identifiers): one doctor fixed via staff dictionary by name, grouped by drug (hard)
SELECT p."药品名称",
       SUM(d."数量") AS "总量",
       SUM(d."金额") AS "总金额"
FROM "HIS"."处方明细" d
JOIN "HIS"."处方主表" h ON h."处方号" = d."处方号"
JOIN "HIS"."药品字典" p ON p."药品编码" = d."药品编码"
JOIN "HIS"."职工字典" s ON s."职工编码" = h."开方医生编码"
WHERE s."姓名" = '王建国'
  AND h."开方时间" >= DATE '2024-01-01'
GROUP BY p."药品名称"
ORDER BY "总金额" DESC;

-- @innocent 人大金仓 Kingbase (quoted Chinese identifiers): one patient's prescription listing with doctor and drug, no aggregation
SELECT h."处方号", h."开方时间", s."姓名" AS "医生", p."药品名称", d."数量", d."用法", d."频次"
FROM "HIS"."处方主表" h
JOIN "HIS"."处方明细" d ON d."处方号" = h."处方号"
JOIN "HIS"."药品字典" p ON p."药品编码" = d."药品编码"
LEFT JOIN "HIS"."职工字典" s ON s."职工编码" = h."开方医生编码"
WHERE h."患者ID" = $1
ORDER BY h."开方时间" DESC;

-- @tongfang GaussDB / openGauss: CROSS JOIN LATERAL top 3 drugs by amount for each doctor
SELECT d.doc_code, d.doc_name, t.drug_code, t.amt
FROM his_dict.doctor d
CROSS JOIN LATERAL (
    SELECT r.drug_code, SUM(r.amount) AS amt
    FROM his_op.rx_detail r
    WHERE r.prescriber_code = d.doc_code
      AND r.rx_date >= date_trunc('month', now()) - interval '1 month'
      AND r.rx_date <  date_trunc('month', now())
    GROUP BY r.drug_code
    ORDER BY amt DESC
    LIMIT 3
) t
ORDER BY d.doc_code, t.amt DESC;

-- @tongfang SQL Server (English schema): CROSS APPLY TOP 5 ordering physicians for each restricted antibiotic in drug master
SELECT dm.med_code, dm.med_name, x.ordering_physician_id, x.physician_name, x.total_qty
FROM dbo.drug_master AS dm
CROSS APPLY (
    SELECT TOP (5) o.ordering_physician_id, p.physician_name, SUM(o.qty) AS total_qty
    FROM dbo.ip_med_orders AS o
    INNER JOIN dbo.physician AS p ON p.physician_id = o.ordering_physician_id
    WHERE o.med_code = dm.med_code
      AND o.order_dt >= @start_dt AND o.order_dt < @end_dt
    GROUP BY o.ordering_physician_id, p.physician_name
    ORDER BY SUM(o.qty) DESC
) AS x
WHERE dm.antibiotic_level IN (2, 3);

-- @tongfang SQL Server PIVOT: doctors as rows x three named drugs as columns
SELECT 医生, [阿莫西林胶囊], [头孢克肟分散片], [左氧氟沙星片]
FROM (
    SELECT s.[name] AS 医生, m.[drug_name], d.[qty]
    FROM [HIS].[dbo].[op_rx_detail] d
    JOIN [HIS].[dbo].[op_rx_head] h ON h.[rx_no] = d.[rx_no]
    JOIN [HIS].[dbo].[staff] s ON s.[staff_id] = h.[doctor_id]
    JOIN [HIS].[dbo].[drug_dict] m ON m.[drug_id] = d.[drug_id]
    WHERE h.[rx_time] >= @BeginDate AND h.[rx_time] < @EndDate
) AS src
PIVOT (SUM([qty]) FOR [drug_name] IN ([阿莫西林胶囊], [头孢克肟分散片], [左氧氟沙星片])) AS pvt
ORDER BY 医生;

-- @innocent SQL Server PIVOT: departments as rows x three named drugs as columns (department x drug, no doctor)
SELECT 科室, [阿莫西林胶囊], [头孢克肟分散片], [左氧氟沙星片]
FROM (
    SELECT k.[dept_name] AS 科室, m.[drug_name], d.[qty]
    FROM [HIS].[dbo].[op_rx_detail] d
    JOIN [HIS].[dbo].[op_rx_head] h ON h.[rx_no] = d.[rx_no]
    JOIN [HIS].[dbo].[department] k ON k.[dept_id] = h.[dept_id]
    JOIN [HIS].[dbo].[drug_dict] m ON m.[drug_id] = d.[drug_id]
    WHERE h.[rx_time] >= @BeginDate AND h.[rx_time] < @EndDate
) AS src
PIVOT (SUM([qty]) FOR [drug_name] IN ([阿莫西林胶囊], [头孢克肟分散片], [左氧氟沙星片])) AS pvt
ORDER BY 科室;

-- @tongfang 金仕达 Kingstar-style (Oracle): DECODE crosstab, one column per PPI drug code, grouped by doctor name
SELECT t.ysxm,
       SUM(DECODE(t.ypbm, '0101023', t.sl, 0)) AS "奥美拉唑",
       SUM(DECODE(t.ypbm, '0101187', t.sl, 0)) AS "泮托拉唑",
       SUM(DECODE(t.ypbm, '0101190', t.sl, 0)) AS "兰索拉唑"
  FROM zy_yzmx t
 WHERE t.yzlx = '1'
   AND t.ypbm IN ('0101023', '0101187', '0101190')
   AND t.kdsj >= to_date('2024-04-01', 'yyyy-mm-dd')
 GROUP BY t.ysxm;

-- @innocent 金仕达 Kingstar-style (Oracle): per-doctor 药占比 via DECODE on fee category (all drugs lumped), no drug breakdown
SELECT t.ysxm,
       SUM(DECODE(t.fylb, 'XY', t.je, 'ZCY', t.je, 'CY', t.je, 0)) AS ypje,
       SUM(t.je) AS zje,
       ROUND(SUM(DECODE(t.fylb, 'XY', t.je, 'ZCY', t.je, 'CY', t.je, 0)) / NULLIF(SUM(t.je), 0) * 100, 2) AS yzb
  FROM zy_fymx t
 WHERE t.jfrq >= to_date('2024-04-01', 'yyyy-mm-dd')
 GROUP BY t.ysxm
 ORDER BY yzb DESC;

-- @tongfang OMOP CDM: drug_exposure.provider_id x ingredient (via concept_ancestor) counts and quantities
SELECT de.provider_id, p.provider_name, c.concept_name AS ingredient,
       COUNT(*) AS n_exposures, SUM(de.quantity) AS total_qty
FROM cdm.drug_exposure de
JOIN cdm.concept_ancestor ca ON ca.descendant_concept_id = de.drug_concept_id
JOIN cdm.concept c ON c.concept_id = ca.ancestor_concept_id
                  AND c.concept_class_id = 'Ingredient'
JOIN cdm.provider p ON p.provider_id = de.provider_id
WHERE de.drug_exposure_start_date >= DATE '2023-01-01'
GROUP BY de.provider_id, p.provider_name, c.concept_name;

-- @innocent OMOP CDM: per drug concept, COUNT(DISTINCT provider_id) without identifying providers
SELECT c.concept_name,
       COUNT(*) AS exposures,
       COUNT(DISTINCT de.person_id) AS persons,
       COUNT(DISTINCT de.provider_id) AS prescribers
FROM cdm.drug_exposure de
JOIN cdm.concept c ON c.concept_id = de.drug_concept_id
WHERE de.drug_exposure_start_date BETWEEN '2023-01-01' AND '2023-12-31'
GROUP BY c.concept_name
HAVING COUNT(DISTINCT de.provider_id) >= 5
ORDER BY exposures DESC;

-- @tongfang Epic Clarity: ORDER_MED per authorizing provider with one generic fixed via CLARITY_MEDICATION join (hard: drug only in WHERE)
SELECT ser.PROV_ID, ser.PROV_NAME,
       COUNT(DISTINCT om.ORDER_MED_ID) AS ORDER_COUNT,
       COUNT(DISTINCT om.PAT_ID) AS PATIENTS
FROM ORDER_MED om
INNER JOIN CLARITY_MEDICATION med ON med.MEDICATION_ID = om.MEDICATION_ID
INNER JOIN CLARITY_SER ser ON ser.PROV_ID = om.AUTHRZING_PROV_ID
WHERE med.GENERIC_NAME LIKE 'ADALIMUMAB%'
  AND om.ORDERING_DATE >= '2024-01-01'
  AND om.ORDER_STATUS_C NOT IN (4, 7) -- canceled / discontinued
GROUP BY ser.PROV_ID, ser.PROV_NAME
ORDER BY ORDER_COUNT DESC;

-- @innocent Epic Clarity MAR: administrations by documenting nurse (MAR user) x medication, not the prescriber
SELECT emp.NAME AS ADMINISTERED_BY, med.NAME AS MEDICATION, COUNT(*) AS ADMIN_COUNT
FROM MAR_ADMIN_INFO mai
JOIN ORDER_MED om ON om.ORDER_MED_ID = mai.ORDER_MED_ID
JOIN CLARITY_MEDICATION med ON med.MEDICATION_ID = om.MEDICATION_ID
JOIN CLARITY_EMP emp ON emp.USER_ID = mai.USER_ID
JOIN ZC_MAR_RSLT zr ON zr.RESULT_C = mai.MAR_ACTION_C
WHERE zr.NAME = 'Given'
  AND mai.TAKEN_TIME >= '2024-01-01'
GROUP BY emp.NAME, med.NAME;

-- @innocent Epic Clarity ORDER_PROC: lab/imaging procedures by authorizing provider x procedure (non-drug items)
SELECT ser.PROV_NAME, op.PROC_CODE, op.DESCRIPTION, COUNT(*) AS N_ORDERS
FROM ORDER_PROC op
JOIN CLARITY_SER ser ON ser.PROV_ID = op.AUTHRZING_PROV_ID
JOIN ZC_ORDER_TYPE zot ON zot.ORDER_TYPE_C = op.ORDER_TYPE_C
WHERE zot.NAME IN ('Lab', 'Imaging')
  AND op.ORDERING_DATE >= '2024-01-01'
GROUP BY ser.PROV_NAME, op.PROC_CODE, op.DESCRIPTION;

-- @tongfang Cerner Millennium: ORDER_ACTION.order_provider_id x pharmacy catalog_cd order counts
SELECT pr.name_full_formatted AS prescriber,
       uar_get_code_display(o.catalog_cd) AS medication,
       COUNT(DISTINCT o.order_id) AS order_cnt
FROM orders o
JOIN order_action oa ON oa.order_id = o.order_id AND oa.action_sequence = 1
JOIN prsnl pr ON pr.person_id = oa.order_provider_id
WHERE o.catalog_type_cd = (SELECT cv.code_value FROM code_value cv
                            WHERE cv.code_set = 6000 AND cv.cdf_meaning = 'PHARMACY')
  AND o.orig_order_dt_tm BETWEEN cnvtdatetime('01-JAN-2024 00:00') AND cnvtdatetime('31-MAR-2024 23:59')
  AND o.template_order_flag IN (0, 1)
GROUP BY pr.name_full_formatted, o.catalog_cd
ORDER BY order_cnt DESC;

-- @innocent Cerner Millennium: pharmacist verification counts by reviewing pharmacist x medication (not the prescriber)
SELECT pr.name_full_formatted AS verifying_pharmacist,
       oc.primary_mnemonic AS medication,
       COUNT(*) AS verified
FROM order_review orv
JOIN orders o ON o.order_id = orv.order_id
JOIN order_catalog oc ON oc.catalog_cd = o.catalog_cd
JOIN prsnl pr ON pr.person_id = orv.review_personnel_id
WHERE orv.review_type_flag = 3 /* pharmacist verify */
  AND orv.reviewed_status_flag = 1
  AND orv.review_dt_tm >= cnvtdatetime(curdate - 30, 0)
GROUP BY pr.name_full_formatted, oc.primary_mnemonic;

-- @tongfang Meditech Data Repository (SQL Server): PhaRx by PrescribingProviderID x DrugID
SELECT rx.PrescribingProviderID, prov.Name AS ProviderName,
       rx.DrugID, drug.GenericName,
       COUNT(*) AS RxCount, SUM(rx.DispenseQuantity) AS Qty
FROM livedb.dbo.PhaRx rx
JOIN livedb.dbo.DMisProvider prov ON prov.SourceID = rx.SourceID AND prov.ProviderID = rx.PrescribingProviderID
JOIN livedb.dbo.DPhaDrugData drug ON drug.SourceID = rx.SourceID AND drug.DrugID = rx.DrugID
WHERE rx.StartDateTime >= '2024-01-01'
GROUP BY rx.PrescribingProviderID, prov.Name, rx.DrugID, drug.GenericName;

-- @innocent Meditech Data Repository: drug dictionary maintenance query (inactive formulary entries)
SELECT d.DrugID, d.GenericName, d.BrandName, d.Strength, d.Form, d.Active, d.LastUpdated
FROM livedb.dbo.DPhaDrugData d
WHERE d.SourceID = 'MT'
  AND d.Active = 'N'
  AND d.LastUpdated >= DATEADD(day, -90, GETDATE())
ORDER BY d.GenericName;

-- @tongfang VistA FileMan SQL projection: PRESCRIPTION (#52) PROVIDER x DRUG, FileMan internal dates
SELECT NP.NAME AS PROVIDER_NAME, DR.GENERIC_NAME,
       COUNT(*) AS FILLS, SUM(RX.QTY) AS TOTAL_QTY
FROM VISTA.PRESCRIPTION RX, VISTA.NEW_PERSON NP, VISTA.DRUG DR
WHERE RX.PROVIDER = NP.NEW_PERSON_ID
  AND RX.DRUG = DR.DRUG_ID
  AND RX.ISSUE_DATE >= 3240101
  AND RX.ISSUE_DATE < 3240401
GROUP BY NP.NAME, DR.GENERIC_NAME;

-- @tongfang OpenMRS (MySQL): orders.orderer x drug_order drug, counts and quantities
SELECT CONCAT(pn.given_name, ' ', pn.family_name) AS prescriber,
       d.name AS drug,
       COUNT(*) AS orders,
       SUM(dro.quantity) AS qty
FROM orders o
JOIN drug_order dro ON dro.order_id = o.order_id
JOIN drug d ON d.drug_id = dro.drug_inventory_id
JOIN provider pr ON pr.provider_id = o.orderer
JOIN person_name pn ON pn.person_id = pr.person_id AND pn.preferred = 1
WHERE o.voided = 0
  AND o.date_activated BETWEEN ? AND ?
GROUP BY o.orderer, d.drug_id, prescriber, drug;

-- @innocent OpenMRS: orders per orderer x order type (Drug Order / Test Order), all drugs lumped, no drug breakdown
SELECT o.orderer, ot.name AS order_type, COUNT(*) AS n
FROM orders o
JOIN order_type ot ON ot.order_type_id = o.order_type_id
WHERE o.voided = 0
  AND o.date_activated >= '2024-01-01'
GROUP BY o.orderer, ot.name
ORDER BY o.orderer;

-- @tongfang OpenEMR (MySQL): prescriptions grouped by provider_id and drug, LIMIT
SELECT u.lname, u.fname, p.drug,
       COUNT(*) AS rx_count, SUM(p.quantity) AS qty
FROM prescriptions p
JOIN users u ON u.id = p.provider_id
WHERE p.date_added >= '2024-01-01'
  AND p.active = 1
GROUP BY p.provider_id, u.lname, u.fname, p.drug
ORDER BY rx_count DESC
LIMIT 100;

-- @innocent OpenEMR: one patient's prescription list with prescriber name (per-patient listing)
SELECT p.date_added, p.drug, p.dosage, p.quantity, p.refills,
       CONCAT(u.fname, ' ', u.lname) AS prescriber
FROM prescriptions p
LEFT JOIN users u ON u.id = p.provider_id
WHERE p.patient_id = ?
  AND p.active = 1
ORDER BY p.date_added DESC;

-- @tongfang GNU Health (Tryton/Odoo-like, PostgreSQL): prescription order healthprof x medicament, psycopg %(x)s binds
SELECT hp_party.name AS physician,
       pt.name AS medicament,
       COUNT(l.id) AS lines,
       SUM(l.quantity) AS qty
FROM gnuhealth_prescription_order o
JOIN gnuhealth_prescription_line l ON l.name = o.id
JOIN gnuhealth_medicament m ON m.id = l.medicament
JOIN product_product pp ON pp.id = m.name
JOIN product_template pt ON pt.id = pp.template
JOIN gnuhealth_healthprofessional hp ON hp.id = o.healthprof
JOIN party_party hp_party ON hp_party.id = hp.name
WHERE o.prescription_date >= %(date_from)s
  AND o.prescription_date < %(date_to)s
GROUP BY hp_party.name, pt.name;

-- @innocent Odoo POS in hospital pharmacy (PostgreSQL): sales by cashier x medicine product; cashier is not a prescriber
SELECT u.login AS cashier,
       pt.name->>'en_US' AS product,
       SUM(l.qty) AS qty,
       SUM(l.price_subtotal_incl) AS amount
FROM pos_order_line l
JOIN pos_order o ON o.id = l.order_id
JOIN res_users u ON u.id = o.user_id
JOIN product_product pp ON pp.id = l.product_id
JOIN product_template pt ON pt.id = pp.product_tmpl_id
JOIN product_category pc ON pc.id = pt.categ_id
WHERE pc.complete_name ILIKE 'Pharmacy / Medicines%'
  AND o.state IN ('paid', 'done', 'invoiced')
  AND o.date_order >= %(date_from)s
GROUP BY u.login, pt.name->>'en_US';

-- @tongfang FHIR MedicationRequest in BigQuery: requester practitioner x RxNorm code via UNNEST
SELECT mr.requester.practitionerId AS practitioner,
       c.code AS rxnorm,
       ANY_VALUE(c.display) AS drug,
       COUNT(*) AS n_requests
FROM `proj.fhir_store.MedicationRequest` AS mr,
     UNNEST(mr.medication.codeableConcept.coding) AS c
WHERE c.system = 'http://www.nlm.nih.gov/research/umls/rxnorm'
  AND mr.authoredOn >= '2024-01-01'
  AND mr.status IN ('active', 'completed')
GROUP BY 1, 2;

-- @innocent FHIR MedicationDispense in BigQuery: dispensing performer (pharmacist) x medication code
SELECT perf.actor.practitionerId AS dispensing_pharmacist,
       c.code AS rxnorm,
       COUNT(*) AS dispenses,
       SUM(md.quantity.value) AS qty
FROM `proj.fhir_store.MedicationDispense` AS md,
     UNNEST(md.performer) AS perf,
     UNNEST(md.medication.codeableConcept.coding) AS c
WHERE md.status = 'completed'
GROUP BY 1, 2;

-- @tongfang 医惠 Ewell integration platform ODS on Spark SQL: prescriber and drug extracted from JSON message, grouped by both (hard)
SELECT get_json_object(msg, '$.order.orderDoctor.code') AS doctor_code,
       get_json_object(msg, '$.order.orderDoctor.name') AS doctor_name,
       get_json_object(item, '$.drugCode') AS drug_code,
       SUM(CAST(get_json_object(item, '$.quantity') AS DECIMAL(18, 2))) AS qty
FROM ods.ods_esb_msg_opd_prescription
LATERAL VIEW explode(from_json(get_json_object(msg, '$.order.items'), 'array<string>')) t AS item
WHERE dt BETWEEN '${start_dt}' AND '${end_dt}'
GROUP BY 1, 2, 3;

-- @tongfang Hive ETL: INSERT OVERWRITE daily DWS table aggregated by doctor_sk x drug_sk
INSERT OVERWRITE TABLE dws.dws_doc_drug_use_d PARTITION (dt = '${bizdate}')
SELECT d.doctor_sk,
       d.drug_sk,
       SUM(d.qty) AS qty,
       SUM(d.amt) AS amt,
       COUNT(DISTINCT d.rx_no) AS rx_cnt
FROM dwd.dwd_opd_rx_detail_di d
WHERE d.dt = '${bizdate}'
  AND d.item_class = 'DRUG'
GROUP BY d.doctor_sk, d.drug_sk;

-- @innocent Hive ETL: INSERT OVERWRITE daily DWS table aggregated by drug only
INSERT OVERWRITE TABLE dws.dws_drug_use_d PARTITION (dt = '${bizdate}')
SELECT d.drug_sk,
       SUM(d.qty) AS qty,
       SUM(d.amt) AS amt,
       COUNT(DISTINCT d.rx_no) AS rx_cnt,
       COUNT(DISTINCT d.patient_sk) AS pat_cnt
FROM dwd.dwd_opd_rx_detail_di d
WHERE d.dt = '${bizdate}'
  AND d.item_class = 'DRUG'
GROUP BY d.drug_sk;

-- @tongfang Star schema data warehouse: ROLLUP (doctor, drug, month) over fact_prescription_line with dim_*_key joins
SELECT dd.doctor_name, dg.generic_name, dt.year_month,
       SUM(f.qty) AS qty, SUM(f.amount) AS amount
FROM dw.fact_prescription_line f
JOIN dw.dim_doctor dd ON dd.doctor_key = f.prescriber_doctor_key
JOIN dw.dim_drug dg ON dg.drug_key = f.drug_key
JOIN dw.dim_date dt ON dt.date_key = f.rx_date_key
WHERE dt.year_month BETWEEN '2024-01' AND '2024-06'
GROUP BY ROLLUP (dd.doctor_name, dg.generic_name, dt.year_month);

-- @innocent Star schema: CUBE (prescribing department, drug), no doctor dimension
SELECT dp.dept_name, dg.generic_name, SUM(f.amount) AS amount
FROM dw.fact_prescription_line f
JOIN dw.dim_department dp ON dp.dept_key = f.prescribing_dept_key
JOIN dw.dim_drug dg ON dg.drug_key = f.drug_key
JOIN dw.dim_date dt ON dt.date_key = f.rx_date_key
WHERE dt.year = 2024
GROUP BY CUBE (dp.dept_name, dg.generic_name);

-- @innocent Star schema: doctor title level (职称) x drug, doctors not individually identified (only a count of them)
SELECT dd.title_level AS 职称, dg.generic_name AS 药品,
       SUM(f.qty) AS 数量,
       COUNT(DISTINCT f.prescriber_doctor_key) AS 医生数
FROM dw.fact_prescription_line f
JOIN dw.dim_doctor dd ON dd.doctor_key = f.prescriber_doctor_key
JOIN dw.dim_drug dg ON dg.drug_key = f.drug_key
GROUP BY dd.title_level, dg.generic_name;

-- @tongfang ClickHouse: per-doctor pivot of a small drug list with sumIf columns
SELECT doctor_id,
       any(doctor_name) AS doctor_name,
       sumIf(qty, drug_code = 'XJ01DDA111') AS ceftriaxone_qty,
       sumIf(qty, drug_code = 'XJ01DDA063') AS cefoperazone_qty,
       sumIf(amount, drug_code IN ('XJ01DDA111', 'XJ01DDA063')) AS amount
FROM his.rx_detail_local
WHERE rx_date >= toDate('2024-01-01')
GROUP BY doctor_id
ORDER BY amount DESC;

-- @innocent ClickHouse: per drug, uniqExact(doctor_id) prescriber count without identifying doctors
SELECT drug_code,
       any(drug_name) AS drug_name,
       uniqExact(doctor_id) AS prescriber_cnt,
       uniqExact(patient_id) AS patient_cnt,
       sum(qty) AS qty
FROM his.rx_detail_local
WHERE rx_date >= today() - 30
GROUP BY drug_code
ORDER BY prescriber_cnt DESC
LIMIT 100;

-- @tongfang StarRocks/Doris: DENSE_RANK of doctors within each drug (top 3 prescribers per drug)
SELECT *
FROM (
    SELECT drug_code, drug_name, doctor_code, doctor_name,
           SUM(amount) AS amt,
           DENSE_RANK() OVER (PARTITION BY drug_code ORDER BY SUM(amount) DESC) AS rk
    FROM ads.ads_rx_line
    WHERE rx_dt >= '2024-01-01'
    GROUP BY drug_code, drug_name, doctor_code, doctor_name
) x
WHERE rk <= 3;

-- @innocent Doris: pharmacy stock by warehouse x drug with nearest expiry
SELECT w.warehouse_name, s.drug_code, d.drug_name, d.spec,
       SUM(s.stock_qty) AS qty,
       MIN(s.expire_date) AS nearest_expiry
FROM ods_his.pha_stock_batch s
JOIN dim.dim_warehouse w ON w.warehouse_id = s.warehouse_id
JOIN dim.dim_drug d ON d.drug_code = s.drug_code
WHERE s.stock_qty > 0
GROUP BY w.warehouse_name, s.drug_code, d.drug_name, d.spec;

-- @tongfang PostgreSQL: per doctor, SUM FILTER columns for three statins (doctor x drug crosstab)
SELECT s.full_name AS 医生,
       SUM(d.qty) FILTER (WHERE i.generic_name = '阿托伐他汀钙片') AS "阿托伐他汀",
       SUM(d.qty) FILTER (WHERE i.generic_name = '瑞舒伐他汀钙片') AS "瑞舒伐他汀",
       SUM(d.qty) FILTER (WHERE i.generic_name = '匹伐他汀钙片') AS "匹伐他汀"
FROM op.rx_line d
JOIN op.rx r ON r.rx_id = d.rx_id
JOIN hr.staff s ON s.staff_id = r.prescriber_id
JOIN dict.item i ON i.item_id = d.item_id
WHERE r.rx_time >= date_trunc('quarter', current_date)
GROUP BY s.full_name;

-- @innocent PostgreSQL: per doctor, FILTER on item class DRUG for 药占比 over all drugs, no single-drug columns
SELECT s.full_name AS 医生,
       COUNT(*) AS 明细数,
       COUNT(*) FILTER (WHERE i.item_class = 'DRUG') AS 药品明细数,
       ROUND(SUM(d.amount) FILTER (WHERE i.item_class = 'DRUG') / NULLIF(SUM(d.amount), 0) * 100, 2) AS 药占比
FROM op.rx_line d
JOIN op.rx r ON r.rx_id = d.rx_id
JOIN hr.staff s ON s.staff_id = r.prescriber_id
JOIN dict.item i ON i.item_id = d.item_id
WHERE r.rx_time >= date_trunc('quarter', current_date)
GROUP BY s.full_name;

-- @tongfang MySQL MyBatis mapper: one drug fixed by #{drugId}, grouped by doctor only (hard)
SELECT r.`doctor_id`, u.`real_name`, SUM(d.`num`) AS total_num, SUM(d.`amount`) AS total_amount
FROM `his_prescription` r
INNER JOIN `his_prescription_detail` d ON d.`prescription_id` = r.`id`
LEFT JOIN `sys_user` u ON u.`id` = r.`doctor_id`
WHERE d.`drug_id` = #{drugId}
  AND r.`create_time` BETWEEN #{beginTime} AND #{endTime}
  AND r.`del_flag` = '0'
GROUP BY r.`doctor_id`, u.`real_name`
ORDER BY total_num DESC;

-- @innocent MySQL MyBatis mapper: a doctor's own outpatient schedule for the next two weeks
SELECT s.`scheduling_date`, s.`time_period`, s.`room_name`, s.`reg_limit`, s.`reg_used`
FROM `his_scheduling` s
WHERE s.`doctor_id` = #{userId}
  AND s.`scheduling_date` BETWEEN CURDATE() AND DATE_ADD(CURDATE(), INTERVAL 14 DAY)
ORDER BY s.`scheduling_date`, s.`time_period`;

-- @tongfang 众阳 Zoneyang-style (Oracle): correlated scalar subquery gives each doctor's monthly quantity of one bound drug, no GROUP BY (hard)
SELECT y.ysbm, y.ysxm,
       (SELECT NVL(SUM(m.sl), 0)
          FROM mz_cfmx m
          JOIN mz_cf c ON c.cfid = m.cfid
         WHERE c.kdysbm = y.ysbm
           AND m.ypbm = :ypbm
           AND c.kfsj >= TRUNC(SYSDATE, 'MM')) AS 本月用量
  FROM gy_ysxx y
 WHERE y.zt = '1'
 ORDER BY 3 DESC;

-- @tongfang 众阳-style (MySQL): opaque ids; prescriber only via hr_employee join (post_type 医师), drug via item_id with type flag (hard)
SELECT e.emp_name, i.item_name, i.spec,
       SUM(d.num) AS num, SUM(d.amount) AS amt
FROM t_rx_head h
JOIN hr_employee e ON e.emp_id = h.emp_id AND e.post_type = '医师'
JOIN t_rx_item d ON d.rx_id = h.rx_id
JOIN t_item_dict i ON i.item_id = d.item_id AND i.item_type = '1' -- 1=药品 2=诊疗 3=材料
WHERE h.rx_date >= ? AND h.rx_date < ?
GROUP BY e.emp_name, i.item_name, i.spec;

-- @innocent 众阳-style (MySQL): same tables, staff join only used to get the doctor's department; grouped by department x drug
SELECT k.dept_name, i.item_name,
       SUM(d.num) AS num, SUM(d.amount) AS amt
FROM t_rx_head h
JOIN hr_employee e ON e.emp_id = h.emp_id
JOIN sys_dept k ON k.dept_id = e.dept_id
JOIN t_rx_item d ON d.rx_id = h.rx_id
JOIN t_item_dict i ON i.item_id = d.item_id AND i.item_type = '1'
WHERE h.rx_date >= ? AND h.rx_date < ?
GROUP BY k.dept_name, i.item_name;

-- @tongfang 银海 Yinhai insurance settlement detail (national 医保 2.0 fields): bilg_dr_codg x med_list_codg, drug fee types 09/10/11
SELECT t.bilg_dr_codg AS 开单医生编码,
       t.bilg_dr_name AS 开单医生,
       t.med_list_codg AS 医保药品编码,
       SUM(t.cnt) AS 数量,
       SUM(t.det_item_fee_sumamt) AS 金额
FROM yh_setl.feedetl t
WHERE t.med_chrgitm_type IN ('09', '10', '11')
  AND t.fee_ocur_time >= TO_DATE('20240101', 'yyyymmdd')
GROUP BY t.bilg_dr_codg, t.bilg_dr_name, t.med_list_codg;

-- @innocent 银海 Yinhai insurance settlement: one visit's fee detail listing (per-patient), no aggregation
SELECT t.feedetl_sn, t.fee_ocur_time, t.med_list_codg, t.medins_list_name, t.cnt, t.pric,
       t.det_item_fee_sumamt, t.bilg_dr_name
FROM yh_setl.feedetl t
WHERE t.mdtrt_id = :mdtrt_id
  AND t.psn_no = :psn_no
ORDER BY t.fee_ocur_time;

-- @tongfang 天健 Tianjian-style (SQL Server): UNION ALL of per-drug blocks, each grouped by prescribing doctor
SELECT N'注射用奥美拉唑钠' AS 药品, r.DoctorCode, r.DoctorName, SUM(d.Quantity) AS 数量
FROM dbo.MZ_Recipe r JOIN dbo.MZ_RecipeDetail d ON d.RecipeID = r.RecipeID
WHERE d.DrugCode = 'XA02BCA047' AND r.RecipeDate >= @BeginDate AND r.RecipeDate < @EndDate
GROUP BY r.DoctorCode, r.DoctorName
UNION ALL
SELECT N'注射用泮托拉唑钠', r.DoctorCode, r.DoctorName, SUM(d.Quantity)
FROM dbo.MZ_Recipe r JOIN dbo.MZ_RecipeDetail d ON d.RecipeID = r.RecipeID
WHERE d.DrugCode = 'XA02BCP031' AND r.RecipeDate >= @BeginDate AND r.RecipeDate < @EndDate
GROUP BY r.DoctorCode, r.DoctorName
UNION ALL
SELECT N'注射用艾司奥美拉唑钠', r.DoctorCode, r.DoctorName, SUM(d.Quantity)
FROM dbo.MZ_Recipe r JOIN dbo.MZ_RecipeDetail d ON d.RecipeID = r.RecipeID
WHERE d.DrugCode = 'XA02BCE056' AND r.RecipeDate >= @BeginDate AND r.RecipeDate < @EndDate
GROUP BY r.DoctorCode, r.DoctorName
ORDER BY 1, 4 DESC;

-- @tongfang 天健-style inpatient orders (Oracle): GROUPING SETS including (ORDER_DOCTOR, DRUG_CODE)
SELECT NVL(o.ORDER_DOCTOR, '合计') AS 医生,
       NVL(o.DRUG_CODE, '小计') AS 药品,
       SUM(o.TOTAL_DOSAGE) AS 用量,
       GROUPING_ID(o.ORDER_DOCTOR, o.DRUG_CODE) AS GID
FROM ZY_ORDERS o
WHERE o.ORDER_CLASS = 'A' -- A=药疗
  AND o.START_TIME >= DATE '2024-01-01'
GROUP BY GROUPING SETS ((o.ORDER_DOCTOR, o.DRUG_CODE), (o.ORDER_DOCTOR), ());

-- @innocent 天健-style inpatient orders (Oracle): GROUPING SETS of (DEPT, DRUG) and (DRUG), no doctor
SELECT NVL(o.ORDER_DEPT, '全院') AS 科室,
       o.DRUG_CODE AS 药品,
       SUM(o.TOTAL_DOSAGE) AS 用量
FROM ZY_ORDERS o
WHERE o.ORDER_CLASS = 'A'
  AND o.START_TIME >= DATE '2024-01-01'
GROUP BY GROUPING SETS ((o.ORDER_DEPT, o.DRUG_CODE), (o.DRUG_CODE));

-- @tongfang 天健-style (SQL Server): grouping key is one concatenated doctor+drug label string
SELECT RTRIM(y.ygxm) + N' / ' + RTRIM(p.ypmc) AS [医生/药品],
       SUM(m.sl) AS [数量],
       SUM(m.je) AS [金额]
FROM [dbo].[MZ_CFMX] m WITH (NOLOCK)
JOIN [dbo].[MZ_CFZB] z WITH (NOLOCK) ON z.cfh = m.cfh
JOIN [dbo].[GY_YGXX] y ON y.ygdm = z.kfys
JOIN [dbo].[YP_ZD] p ON p.ypdm = m.ypdm
WHERE z.kfrq >= CONVERT(datetime, '2024-01-01', 120)
GROUP BY RTRIM(y.ygxm) + N' / ' + RTRIM(p.ypmc)
ORDER BY [金额] DESC;

-- @tongfang 嘉和美康 GoodWill EMR-style (PostgreSQL): CTE limits to key-monitored drug list, per order doctor per drug
WITH jk AS (
    SELECT drug_code
    FROM emr_dict.key_monitor_drug
    WHERE batch_year = 2024 AND is_valid = '1'
), od AS (
    SELECT o.order_doctor_id, o.drug_code, SUM(o.dosage_total) AS total
    FROM emr_inp.inp_order o
    WHERE o.order_type = 'MED'
      AND o.order_time >= :begin_time
      AND EXISTS (SELECT 1 FROM jk WHERE jk.drug_code = o.drug_code)
    GROUP BY o.order_doctor_id, o.drug_code
)
SELECT u.user_name AS 医生, d.drug_name AS 药品, od.total
FROM od
JOIN emr_sys.sys_user u ON u.user_id = od.order_doctor_id
JOIN emr_dict.drug d ON d.drug_code = od.drug_code
ORDER BY od.total DESC;

-- @innocent 嘉和美康-style EMR (PostgreSQL): DDL creating an order table that has doctor and drug columns
CREATE TABLE emr_inp.inp_order_his (
    order_id        bigint       NOT NULL,
    patient_id      varchar(32)  NOT NULL,
    order_doctor_id varchar(20),
    drug_code       varchar(32),
    dosage_total    numeric(14, 4),
    order_type      varchar(8),
    order_time      timestamp,
    CONSTRAINT pk_inp_order_his PRIMARY KEY (order_id)
);

-- @tongfang 方正 Founder-style (Oracle): top 10 prescribing doctors for one drug code via ROWNUM over ordered inline view
SELECT *
  FROM (SELECT a.kdysdm, b.zgxm, SUM(a.sl) AS sl, SUM(a.je) AS je
          FROM zy_yzfy a, gy_zgxx b
         WHERE a.kdysdm = b.zgdm
           AND a.ypbm = '86901234000123'
           AND a.jfrq BETWEEN to_date('20240101', 'yyyymmdd')
                          AND to_date('20240331235959', 'yyyymmddhh24miss')
         GROUP BY a.kdysdm, b.zgxm
         ORDER BY SUM(a.je) DESC)
 WHERE ROWNUM <= 10;

-- @innocent 方正 Founder-style (Oracle): top 10 doctors by total inpatient revenue over all items, ROWNUM
SELECT *
  FROM (SELECT a.kdysdm, b.zgxm, COUNT(DISTINCT a.zyh) AS rs, SUM(a.je) AS je
          FROM zy_yzfy a, gy_zgxx b
         WHERE a.kdysdm = b.zgdm
           AND a.jfrq >= trunc(sysdate, 'YYYY')
         GROUP BY a.kdysdm, b.zgxm
         ORDER BY je DESC)
 WHERE ROWNUM <= 10;

-- @tongfang 方正-style data center (Oracle, full-pinyin columns): each doctor's share of each drug via RATIO_TO_REPORT PARTITION BY drug
SELECT t.yaopin_mingcheng, t.yisheng_xingming, t.shuliang,
       ROUND(RATIO_TO_REPORT(t.shuliang) OVER (PARTITION BY t.yaopin_bianma) * 100, 2) AS zhanbi
  FROM (SELECT c.yaopin_bianma, c.yaopin_mingcheng, c.yisheng_bianma, c.yisheng_xingming,
               SUM(c.shuliang) AS shuliang
          FROM dc_chufang_mingxi c
         WHERE c.kaifang_riqi >= ADD_MONTHS(TRUNC(SYSDATE, 'MM'), -1)
           AND c.kaifang_riqi <  TRUNC(SYSDATE, 'MM')
         GROUP BY c.yaopin_bianma, c.yaopin_mingcheng, c.yisheng_bianma, c.yisheng_xingming) t
 ORDER BY t.yaopin_mingcheng, zhanbi DESC;

-- @tongfang 卫宁 Winning pharmacy dispensing joined back to prescription header to get the prescribing doctor, doctor x drug (hard)
SELECT c.ysdm, y.name AS ysxm, f.ypdm, f.ypmc,
       SUM(f.ypsl) AS fysl
FROM YF_MZFYMX f (nolock)
JOIN SF_MZCFK c (nolock) ON c.xh = f.cfxh
JOIN YY_ZGBMK y (nolock) ON y.id = c.ysdm
WHERE f.fyrq BETWEEN '2024060100:00:00' AND '2024063023:59:59'
GROUP BY c.ysdm, y.name, f.ypdm, f.ypmc;

-- @innocent 卫宁 Winning pharmacy dispensing: grouped by dispensing operator (发药操作员) x drug, not the prescriber
SELECT f.fyczyh AS 发药人, f.ypdm, f.ypmc,
       SUM(f.ypsl) AS fysl,
       COUNT(DISTINCT f.cfxh) AS cfs
FROM YF_MZFYMX f (nolock)
WHERE f.fyrq BETWEEN '2024060100:00:00' AND '2024063023:59:59'
GROUP BY f.fyczyh, f.ypdm, f.ypmc;

-- @innocent 卫宁 Winning 处方点评: reviewing pharmacist (dpysdm) x drug counts of findings; reviewer is not the prescriber
SELECT r.dpysdm AS 点评药师, m.ypdm, m.ypmc,
       COUNT(*) AS 点评条数,
       SUM(CASE WHEN r.dpjg = '2' THEN 1 ELSE 0 END) AS 不合理数
FROM HLYY_CFDPJG r (nolock)
JOIN SF_MZCFMXK m (nolock) ON m.cfxh = r.cfxh AND m.xh = r.mxxh
WHERE r.dprq >= '20240101'
GROUP BY r.dpysdm, m.ypdm, m.ypmc;

-- @innocent 卫宁 Winning drug catalogue maintenance: dictionary rows for one manufacturer (no prescriptions involved)
SELECT a.idm, a.ypdm, a.ypmc, a.ypgg, a.cjmc, a.ykdw, a.lsj
FROM YK_YPCDMLK a (nolock)
WHERE a.cjmc LIKE '%恒康药业%'
  AND a.tybz = '0'
ORDER BY a.ypmc;

-- @innocent Security audit (Oracle): search DB access log for statements that look like 统方; query text only in a string literal
SELECT l.log_id, l.db_user, l.client_ip, l.exec_time, l.sql_text
FROM sec_audit.db_access_log l
WHERE l.exec_time >= SYSDATE - 7
  AND UPPER(l.sql_text) LIKE '%GROUP BY%YSDM%YPDM%'
ORDER BY l.exec_time DESC;

-- @innocent DML data correction: fix wrong unit price of one drug on one doctor's prescriptions (no result set, no aggregation)
UPDATE SF_MZCFMXK
   SET ypdj = 12.50
 WHERE ypdm = '0102035'
   AND cfxh IN (SELECT xh FROM SF_MZCFK
                 WHERE ysdm = '0457'
                   AND sfrq >= '20240601'
                   AND jlzt = '0');

