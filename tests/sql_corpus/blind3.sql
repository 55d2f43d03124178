-- Blind corpus #3: written blind by a third engineer who has not read the analyser source or the existing test corpus.
-- Labels follow the brief's definition: @tongfang = figures per doctor AND per drug; @innocent = similar-looking but not 统方.
-- Held out (stop 24): measured once, after the changes blind2 prompted and before any change
-- of its own: precision 1.000, recall 0.857 (30 of 35). No longer held out (stop 28): its misses prompted fee
-- items restricted to drugs and subqueries fixing a drug (recall 0.943); blind4.sql is held out instead.

-- @tongfang Neusoft outpatient fee detail, DOCT_CODE x ITEM_CODE (drug flag), Oracle (+) join, NVL
SELECT d.DOCT_CODE,
       NVL(e.EMPL_NAME, '未知') AS DOCT_NAME,
       d.ITEM_CODE,
       d.ITEM_NAME,
       d.SPECS,
       SUM(d.QTY) AS TOT_QTY,
       SUM(d.OWN_COST + d.PUB_COST + d.PAY_COST) AS TOT_COST
  FROM FIN_OPB_FEEDETAIL d, COM_EMPLOYEE e
 WHERE d.DOCT_CODE = e.EMPL_CODE(+)
   AND d.DRUG_FLAG = '1'
   AND d.FEE_DATE >= TO_DATE(:BEGIN_DATE, 'YYYY-MM-DD')
   AND d.FEE_DATE <  TO_DATE(:END_DATE, 'YYYY-MM-DD') + 1
   AND d.CANCEL_FLAG = '1'
 GROUP BY d.DOCT_CODE, NVL(e.EMPL_NAME, '未知'), d.ITEM_CODE, d.ITEM_NAME, d.SPECS
 ORDER BY d.DOCT_CODE, TOT_COST DESC;

-- @tongfang Neusoft inpatient medicine list, one drug fixed by bind variable, per RECIPE_DOC_CODE
select m.RECIPE_DOC_CODE, sum(m.QTY) qty, sum(m.TOT_COST) amt, count(distinct m.INPATIENT_NO) pats
  from FIN_IPB_MEDICINELIST m
 where m.DRUG_CODE = :drugCode
   and m.FEE_DATE between :d1 and :d2
 group by m.RECIPE_DOC_CODE
having sum(m.QTY) > 0
 order by 2 desc;

-- @tongfang Winning (卫宁) outpatient: ysdm x idm joined to YY_ZGBMK and YK_YPML, NOLOCK
select a.ysdm, z.name as ysxm, b.idm, m.ypmc, m.ypgg,
       sum(b.ypsl * b.cfts) as zsl,
       sum(b.ypsl * b.cfts * b.ylsj) as zje
from SF_MZCFK a (nolock)
join SF_CFMXK b (nolock) on b.cfxh = a.xh
join YY_ZGBMK z (nolock) on z.id = a.ysdm
join YK_YPML m (nolock) on m.idm = b.idm
where a.sfrq between @ksrq and @jsrq
  and a.jlzt = 0
group by a.ysdm, z.name, b.idm, m.ypmc, m.ypgg
order by a.ysdm, zje desc

-- @tongfang Winning inpatient long-term orders, one doctor fixed (@ysdm), TOP per ypdm
SELECT TOP 50 ypdm, ypmc, SUM(ypsl) AS sl, COUNT(DISTINCT syxh) AS rc
FROM BQ_CQYZK WITH (NOLOCK)
WHERE ysdm = @ysdm
  AND ksrq >= @ksrq
  AND yzzt <> 4
  AND xmlb = 1
GROUP BY ypdm, ypmc
ORDER BY sl DESC

-- @tongfang 东华 DHC Caché: OE_OrdItem with -> implicit joins to CT_CareProv and ARC_ItmMast
SELECT OEORI_Doctor_DR->CTPCP_Code AS DocCode,
       OEORI_Doctor_DR->CTPCP_Desc AS DocName,
       OEORI_ItmMast_DR->ARCIM_Code AS ArcCode,
       OEORI_ItmMast_DR->ARCIM_Desc AS ArcDesc,
       SUM(OEORI_PhQtyOrd) AS Qty,
       COUNT(*) AS OrdCnt
FROM SQLUser.OE_OrdItem
WHERE OEORI_SttDat BETWEEN :StDate AND :EndDate
  AND OEORI_ItmMast_DR->ARCIM_ItemCat_DR->ARCIC_OrderType = 'R'
  AND OEORI_ItemStat_DR->OSTAT_Code <> 'D'
GROUP BY OEORI_Doctor_DR, OEORI_ItmMast_DR

-- @tongfang 中联 ZLHIS: Chinese column names, [1]/[2] parameters, 开单人 x 收费细目
Select a.开单人 As 医生, b.编码 As 药品编码, b.名称 As 药品, b.规格,
       Sum(Nvl(a.付数, 1) * a.数次) As 数量, Sum(a.实收金额) As 金额
From 门诊费用记录 a, 收费项目目录 b
Where a.收费细目id = b.Id
  And a.收费类别 In ('5', '6', '7')
  And a.登记时间 Between [1] And [2]
  And a.记录状态 In (1, 3)
Group By a.开单人, b.编码, b.名称, b.规格
Order By a.开单人, 金额 Desc

-- @tongfang 创业慧康 B-soft: MS_CF01/MS_CF02, YSGH x YPXH joined to GY_YGDM and YK_TYPK
SELECT c1.YSGH, g.YGXM, c2.YPXH, t.YPMC, t.YPGG,
       SUM(c2.YPSL * c2.CFTS) AS YPSL, SUM(c2.HJJE) AS HJJE
FROM MS_CF01 c1
INNER JOIN MS_CF02 c2 ON c2.CFSB = c1.CFSB
INNER JOIN GY_YGDM g ON g.YGDM = c1.YSGH
INNER JOIN YK_TYPK t ON t.YPXH = c2.YPXH
WHERE c1.KFRQ >= :ksrq AND c1.KFRQ < :jsrq AND c1.ZFPB = 0
GROUP BY c1.YSGH, g.YGXM, c2.YPXH, t.YPMC, t.YPGG;

-- @tongfang OpenEMR prescriptions: provider_id x drug_id, MySQL WITH ROLLUP
SELECT p.provider_id, u.lname, u.fname, p.drug_id, d.name AS drug_name,
       COUNT(*) AS scripts, SUM(p.quantity) AS qty
FROM prescriptions p
JOIN users u ON u.id = p.provider_id
LEFT JOIN drugs d ON d.drug_id = p.drug_id
WHERE p.date_added >= '2024-01-01' AND p.active = 1
GROUP BY p.provider_id, p.drug_id WITH ROLLUP;

-- @tongfang OMOP CDM drug_exposure: provider_id x drug concept, PostgreSQL FILTER and ::cast
SELECT de.provider_id,
       c.concept_name AS drug,
       count(*) AS exposures,
       count(*) FILTER (WHERE de.drug_type_concept_id = 38000177) AS written_rx,
       sum(de.quantity)::numeric(12,2) AS qty
FROM cdm.drug_exposure AS de
JOIN cdm.concept AS c ON c.concept_id = de.drug_concept_id
WHERE de.drug_exposure_start_date >= DATE '2024-01-01'
GROUP BY de.provider_id, c.concept_name
ORDER BY de.provider_id, exposures DESC;

-- @tongfang FHIR-on-SQL MedicationRequest: requester_reference x coded medication, GROUP BY ordinals
SELECT mr.requester_reference AS prescriber,
       mr.medication_codeableconcept #>> '{coding,0,code}' AS med_code,
       count(*)::int AS n
FROM fhir.medicationrequest mr
WHERE mr.authored_on >= date '2024-05-01'
  AND mr.status <> 'entered-in-error'
GROUP BY 1, 2
ORDER BY 1, 3 DESC;

-- @tongfang Epic Clarity-style: top 5 authorising providers per MEDICATION_ID via DENSE_RANK
SELECT x.*
FROM (
    SELECT om.MEDICATION_ID, cm.NAME AS MED_NAME,
           om.AUTHRZING_PROV_ID, ser.PROV_NAME,
           COUNT(*) AS ORD_CT,
           DENSE_RANK() OVER (PARTITION BY om.MEDICATION_ID ORDER BY COUNT(*) DESC) AS RNK
    FROM Clarity.dbo.ORDER_MED om WITH (NOLOCK)
    JOIN Clarity.dbo.CLARITY_MEDICATION cm ON cm.MEDICATION_ID = om.MEDICATION_ID
    JOIN Clarity.dbo.CLARITY_SER ser ON ser.PROV_ID = om.AUTHRZING_PROV_ID
    WHERE om.ORDERING_DATE >= '2024-01-01'
      AND ISNULL(om.ORDER_STATUS_C, 0) <> 4
    GROUP BY om.MEDICATION_ID, cm.NAME, om.AUTHRZING_PROV_ID, ser.PROV_NAME
) x
WHERE x.RNK <= 5;

-- @tongfang Cerner-style: ORDER_ACTION.ORDER_PROVIDER_ID -> PRSNL, ORDERS.CATALOG_CD -> ORDER_CATALOG
SELECT p.NAME_FULL_FORMATTED,
       oc.PRIMARY_MNEMONIC,
       COUNT(DISTINCT o.ORDER_ID) AS ORDERS
FROM ORDERS o
JOIN ORDER_ACTION oa ON oa.ORDER_ID = o.ORDER_ID AND oa.ACTION_TYPE_CD = :ORDER_ACTION_CD
JOIN PRSNL p ON p.PERSON_ID = oa.ORDER_PROVIDER_ID
JOIN ORDER_CATALOG oc ON oc.CATALOG_CD = o.CATALOG_CD
WHERE o.CATALOG_TYPE_CD = :PHARMACY_CD
  AND o.ORIG_ORDER_DT_TM > SYSDATE - 30
GROUP BY p.NAME_FULL_FORMATTED, oc.PRIMARY_MNEMONIC;

-- @tongfang Hive warehouse: INSERT OVERWRITE partition from dwd_ table, kdys_id x ypbm, collect_set
INSERT OVERWRITE TABLE ads.ads_mz_tj_m PARTITION (dt = '2024-06-01')
SELECT kdys_id,
       ypbm,
       sum(sl)                  AS zsl,
       sum(je)                  AS zje,
       size(collect_set(brid))  AS rs
FROM dwd.dwd_his_cfmx_di
WHERE dt BETWEEN '2024-06-01' AND '2024-06-30'
  AND cflx IN ('XY', 'ZCY')
GROUP BY kdys_id, ypbm;

-- @tongfang ClickHouse: inner doc_id x med_cd sums, outer groupArray per doctor
SELECT doc_id, groupArray((med_cd, qty)) AS meds
FROM
(
    SELECT doc_id, med_cd, sum(qty) AS qty
    FROM dw.rx_line
    WHERE toStartOfMonth(rx_time) = toDate('2024-06-01')
    GROUP BY doc_id, med_cd
    ORDER BY qty DESC
)
GROUP BY doc_id;

-- @tongfang Oracle PIVOT: drugs as columns, rows per KDYS
SELECT *
  FROM (SELECT KDYS, YPBM, SL FROM MZ_CFMX WHERE KFRQ >= TRUNC(SYSDATE, 'MM'))
 PIVOT (SUM(SL) FOR YPBM IN ('Y0001' AS AMXL, 'Y0002' AS TBKW, 'Y0107' AS AMLZ));

-- @tongfang SQL Server PIVOT: doctors ([1001] ...) as columns, rows per drug, Chinese bracketed names
SELECT p.[药品名称], p.[1001] AS 张医生, p.[1002] AS 李医生, p.[1003] AS 王医生
FROM (
    SELECT y.[药品名称], c.[医生编码], c.[数量]
    FROM [HIS].[dbo].[处方明细] c WITH (NOLOCK)
    JOIN [HIS].[dbo].[药品字典] y ON y.[药品编码] = c.[药品编码]
    WHERE c.[开方日期] >= '2024-06-01'
) s
PIVOT (SUM([数量]) FOR [医生编码] IN ([1001], [1002], [1003])) p;

-- @tongfang MySQL IF() pivot: one row per rx_doc, long select list of drug columns, back-ticks
SELECT `r`.`rx_doc`,
       SUM(IF(`r`.`med_cd` = '86900123000011', `r`.`qty`, 0)) AS `m_011`,
       SUM(IF(`r`.`med_cd` = '86900123000028', `r`.`qty`, 0)) AS `m_028`,
       SUM(IF(`r`.`med_cd` = '86900456000017', `r`.`qty`, 0)) AS `m_017`,
       SUM(IF(`r`.`med_cd` = '86900456000024', `r`.`qty`, 0)) AS `m_024`,
       SUM(IF(`r`.`med_cd` = '86900789000012', `r`.`qty`, 0)) AS `m_012`,
       SUM(IF(`r`.`med_cd` = '86900789000029', `r`.`qty`, 0)) AS `m_029`,
       SUM(IF(`r`.`med_cd` = '86901111000015', `r`.`qty`, 0)) AS `m_015`,
       SUM(IF(`r`.`med_cd` = '86901111000022', `r`.`qty`, 0)) AS `m_022`,
       SUM(`r`.`qty`) AS `all_qty`
FROM `his`.`rx_detail` AS `r`
WHERE `r`.`rx_date` >= CURDATE() - INTERVAL 30 DAY
GROUP BY `r`.`rx_doc`;

-- @tongfang correlated subqueries in select list: per doctor, count/sum of two specific drugs
SELECT s.YSBM,
       s.YSXM,
       (SELECT COUNT(*) FROM ZY_YZ z WHERE z.SQYS = s.YSBM AND z.YPBM = 'X0345') AS CNT_X0345,
       (SELECT NVL(SUM(z.SL), 0) FROM ZY_YZ z WHERE z.SQYS = s.YSBM AND z.YPBM = 'X0346') AS SL_X0346
  FROM XT_YSZD s
 WHERE s.KSBM = '0203'
   AND s.ZT = 1;

-- @tongfang one-liner, snake pinyin, HAVING on one drug's sum per yisheng_id
select yisheng_id, sum(case when yaopin_bm = 'YP00871' then shuliang else 0 end) as n from chufang_mx where kaifang_rq >= '2024-06-01' group by yisheng_id having sum(case when yaopin_bm = 'YP00871' then shuliang else 0 end) > 100;

-- @tongfang drug fixed through EXISTS on the drug dictionary (generic name), grouped by ordering doctor
SELECT o.ORDER_DOC, COUNT(*) AS ORDERS, SUM(o.AMOUNT) AS AMT
  FROM INP_ORDERS o
 WHERE o.START_TIME >= DATE '2024-06-01'
   AND EXISTS (SELECT 1
                 FROM DRUG_DICT dd
                WHERE dd.DRUG_ID = o.ITEM_ID
                  AND dd.GENERIC_NAME = '注射用头孢曲松钠')
 GROUP BY o.ORDER_DOC;

-- @tongfang nested derived tables three deep, full pinyin, ranking drugs within each doctor
select t3.kaidan_yisheng, t3.yaopin_bianma, t3.jine, t3.rn
from (
    select t2.*, row_number() over (partition by t2.kaidan_yisheng order by t2.jine desc) as rn
    from (
        select t1.kaidan_yisheng, t1.yaopin_bianma, sum(t1.jine) as jine
        from (
            select a.kaidan_yisheng, b.yaopin_bianma, b.shuliang * b.danjia as jine
            from menzhen_chufang a
            join menzhen_chufang_mingxi b on b.chufang_id = a.chufang_id
            where a.zuofei = 0
        ) t1
        group by t1.kaidan_yisheng, t1.yaopin_bianma
    ) t2
) t3
where t3.rn <= 10;

-- @tongfang PostgreSQL CTE chain + CROSS JOIN LATERAL: top 3 med_cd per senior doctor
WITH docs AS (
    SELECT staff_id, staff_name
    FROM hr.staff
    WHERE title_code IN ('主任医师', '副主任医师')
), rx AS (
    SELECT l.prov_id, l.med_cd, l.qty
    FROM pharm.rx_line l
    WHERE l.rx_ts >= now() - interval '90 days'
)
SELECT d.staff_name, t.med_cd, t.q
FROM docs d
CROSS JOIN LATERAL (
    SELECT r.med_cd, sum(r.qty) AS q
    FROM rx r
    WHERE r.prov_id = d.staff_id
    GROUP BY r.med_cd
    ORDER BY q DESC
    LIMIT 3
) t;

-- @tongfang SQL Server SELECT INTO #temp with CROSS APPLY to drug dictionary, 京颐-style opaque f_user_id/f_item_id
SELECT f.f_user_id, u.user_name, ca.drug_name, SUM(f.f_num) AS num, SUM(f.f_money) AS money
INTO #tmp_stat
FROM dbo.t_op_fee f WITH (NOLOCK)
JOIN dbo.sys_user u ON u.user_id = f.f_user_id AND u.user_type = '01'
CROSS APPLY (SELECT TOP 1 d.drug_name FROM dbo.dict_drug d WHERE d.drug_id = f.f_item_id) ca
WHERE f.f_date >= DATEADD(month, -1, GETDATE())
  AND f.f_item_type = 'D'
GROUP BY f.f_user_id, u.user_name, ca.drug_name;

-- @tongfang UNION ALL of per-doctor blocks, each grouped by drug
SELECT '0101' AS ysdm, ypdm, SUM(sl) AS sl FROM mz_cfmx WHERE ysdm = '0101' AND rq >= '20240601' GROUP BY ypdm
UNION ALL
SELECT '0102', ypdm, SUM(sl) FROM mz_cfmx WHERE ysdm = '0102' AND rq >= '20240601' GROUP BY ypdm
UNION ALL
SELECT '0115', ypdm, SUM(sl) FROM mz_cfmx WHERE ysdm = '0115' AND rq >= '20240601' GROUP BY ypdm;

-- @tongfang UNION ALL of per-drug blocks, each grouped by CFYS (prescribing doctor)
select 'A01' as yp, cfys, count(*) as cs from cf_mx where ypbm = 'A01' group by cfys
union all
select 'A02' as yp, cfys, count(*) as cs from cf_mx where ypbm = 'A02' group by cfys
union all
select 'B17' as yp, cfys, count(*) as cs from cf_mx where ypbm = 'B17' group by cfys
order by 1, 3 desc;

-- @tongfang CREATE VIEW whose body is 联众-style KDR x XMDM joined to YP_ZD
CREATE OR REPLACE VIEW V_KDR_XM_TJ AS
SELECT A.KDR, A.XMDM, Y.YPMC, Y.GG, SUM(A.SL) AS SL, SUM(A.JE) AS JE
  FROM ZY_FYMX A, YP_ZD Y
 WHERE A.XMDM = Y.YPDM
   AND A.JZBZ = '1'
 GROUP BY A.KDR, A.XMDM, Y.YPMC, Y.GG;

-- @tongfang Oracle CREATE TABLE AS with LISTAGG over an inner doctor x drug aggregate
CREATE TABLE TMP_YS_YP_LIST AS
SELECT T.YSBM,
       LISTAGG(T.YPBM || ':' || T.CNT, ',') WITHIN GROUP (ORDER BY T.CNT DESC) AS YP_LIST
  FROM (SELECT YSBM, YPBM, COUNT(*) AS CNT
          FROM MZ_CF_MX
         WHERE KFSJ >= ADD_MONTHS(TRUNC(SYSDATE, 'MM'), -1)
         GROUP BY YSBM, YPBM) T
 GROUP BY T.YSBM;

-- @tongfang GROUPING SETS with (doctor, drug) together plus doctor subtotal and grand total
SELECT rx.prescriber_id, rx.drug_code, SUM(rx.qty) AS qty, GROUPING(rx.drug_code) AS is_subtotal
FROM pharmacy.outpatient_rx rx
WHERE rx.dispensed_on BETWEEN '2024-04-01' AND '2024-06-30'
GROUP BY GROUPING SETS ((rx.prescriber_id, rx.drug_code), (rx.prescriber_id), ());

-- @tongfang CUBE over doctor and drug, MiXeD case and DECODE
sElEcT DECODE(GROUPING(h.Doc_No), 1, 'ALL', h.Doc_No) AS Doc,
       DeCoDe(GROUPING(h.Med_No), 1, 'ALL', h.Med_No) AS Med,
       SuM(h.Qty) AS Qty
FrOm His_Rx_Hist h
WhErE h.Rx_Date >= Trunc(SysDate) - 7
GrOuP bY CuBe(h.Doc_No, h.Med_No);

-- @tongfang window function partitioned by doctor and drug, DISTINCT, no GROUP BY
SELECT DISTINCT
       o.ordering_provider_id,
       o.ndc,
       SUM(o.dispense_qty) OVER (PARTITION BY o.ordering_provider_id, o.ndc) AS qty_per_prov_ndc,
       COUNT(*) OVER (PARTITION BY o.ordering_provider_id, o.ndc) AS n_orders
FROM rx_orders o
WHERE o.order_date >= '2024-01-01';

-- @tongfang Chinese double-quoted identifiers, one drug fixed via LIKE, grouped by 开方医生
SELECT "处方"."开方医生", COUNT(*) AS "处方数", SUM("明细"."数量") AS "总量"
FROM "HIS"."门诊处方" "处方"
JOIN "HIS"."门诊处方明细" "明细" ON "明细"."处方号" = "处方"."处方号"
WHERE "明细"."药品名称" LIKE '%头孢曲松%'
  AND "处方"."开方日期" >= DATE '2024-06-01'
GROUP BY "处方"."开方医生";

-- @tongfang 医惠-style star schema: fact_rx -> dim_provider / dim_material via surrogate keys
SELECT p.provider_name, m.material_name, m.spec,
       SUM(f.qty) AS qty, SUM(f.amount) AS amount
FROM dw.fact_rx f
JOIN dw.dim_provider p ON p.prov_key = f.prov_key
JOIN dw.dim_material m ON m.mat_key = f.mat_key
JOIN dw.dim_date dt ON dt.date_key = f.date_key
WHERE dt.yyyymm = 202406 AND m.mat_type = 'DRUG'
GROUP BY p.provider_name, m.material_name, m.spec;

-- @tongfang one doctor and one drug both fixed by binds, single COUNT/SUM, no GROUP BY
SELECT COUNT(*) AS cnt, SUM(b.YPSL) AS sl
  FROM YS_MZ_CF01 a
  JOIN YS_MZ_CF02 b ON b.CFSB = a.CFSB
 WHERE a.YSGH = :ysgh
   AND b.YPXH = :ypxh
   AND a.KFRQ BETWEEN :ks AND :js;

-- @tongfang PostgreSQL DISTINCT ON: each doctor's top drug from a doctor x drug aggregate
SELECT DISTINCT ON (agg.auth_prov) agg.auth_prov, agg.med_cd, agg.n
FROM (
    SELECT auth_prov, med_cd, count(*) AS n
    FROM emr.med_order
    WHERE ordered_at::date >= '2024-06-01'
    GROUP BY auth_prov, med_cd
) agg
ORDER BY agg.auth_prov, agg.n DESC;

-- @tongfang Oracle ROWNUM top-N on doctor x drug with IN list of drugs, 智业-style SQYS/YPBM
SELECT *
  FROM (SELECT Z.SQYS, Z.YPBM, SUM(Z.SL) AS SL
          FROM ZY_YZMX Z
         WHERE Z.YPBM IN ('Y10021', 'Y10022', 'Y10035')
           AND Z.KZSJ >= TRUNC(SYSDATE, 'YYYY')
         GROUP BY Z.SQYS, Z.YPBM
         ORDER BY SL DESC)
 WHERE ROWNUM <= 20;

-- @innocent Neusoft per-drug totals only (MET_ORD_RECIPEDETAIL grouped by DRUG_CODE)
SELECT r.DRUG_CODE, r.DRUG_NAME, SUM(r.QTY) AS QTY, SUM(r.QTY * r.UNIT_PRICE) AS AMT
  FROM MET_ORD_RECIPEDETAIL r
 WHERE r.OPER_DATE >= TRUNC(SYSDATE, 'MM')
 GROUP BY r.DRUG_CODE, r.DRUG_NAME
 ORDER BY AMT DESC;

-- @innocent Winning department x drug (ksdm x ypdm), NOLOCK
select a.ksdm, k.name as ksmc, b.ypdm, b.ypmc, sum(b.ypsl * b.cfts) as sl
from SF_MZCFK a (nolock)
join SF_CFMXK b (nolock) on b.cfxh = a.xh
join YY_KSBMK k (nolock) on k.id = a.ksdm
where a.sfrq between @ksrq and @jsrq
group by a.ksdm, k.name, b.ypdm, b.ypmc

-- @innocent Neusoft per-doctor drug workload (drug flag filter, no drug dimension)
SELECT d.DOCT_CODE, COUNT(DISTINCT d.RECIPE_NO) AS RECIPES, SUM(d.OWN_COST + d.PUB_COST + d.PAY_COST) AS DRUG_COST
  FROM FIN_OPB_FEEDETAIL d
 WHERE d.DRUG_FLAG = '1'
   AND d.FEE_DATE >= TO_DATE(:BEGIN_DATE, 'YYYY-MM-DD')
 GROUP BY d.DOCT_CODE;

-- @innocent DHC Caché: doctor x order item CATEGORY (ARC_ItemCat), not a drug
SELECT OEORI_Doctor_DR->CTPCP_Desc AS DocName,
       OEORI_ItmMast_DR->ARCIM_ItemCat_DR->ARCIC_Desc AS ItemCat,
       COUNT(*) AS OrdCnt
FROM OE_OrdItem
WHERE OEORI_SttDat >= :StDate
GROUP BY OEORI_Doctor_DR, OEORI_ItmMast_DR->ARCIM_ItemCat_DR

-- @innocent ZLHIS: 开单人 x 收费类别 (西药/中成药/中草药 category), Chinese names
Select a.开单人, Decode(a.收费类别, '5', '西药', '6', '中成药', '7', '中草药', '其他') As 类别,
       Sum(a.实收金额) As 金额
From 门诊费用记录 a
Where a.登记时间 Between [1] And [2]
  And a.收费类别 In ('5', '6', '7')
Group By a.开单人, a.收费类别

-- @innocent doctor x antibiotic restriction level (KSSJB class), not a drug
SELECT c.ysdm, y.kssjb, COUNT(DISTINCT c.cfxh) AS cfs, SUM(c.je) AS je
FROM mz_cfmx c
JOIN yk_ypml y ON y.idm = c.idm
WHERE y.kssbz = 1
GROUP BY c.ysdm, y.kssjb;

-- @innocent per doctor count of restricted-class antibiotics (class fixed in WHERE by ATC prefix)
SELECT o.prov_id, COUNT(*) AS n_j01_orders
FROM emr.med_order o
JOIN ref.drug d ON d.drug_id = o.drug_id
WHERE d.atc_code LIKE 'J01%'
  AND d.restrict_level = 2
GROUP BY o.prov_id;

-- @innocent per patient x drug (patient medication history), no doctor
SELECT m.PATIENT_ID, m.DRUG_CODE, MIN(m.USE_DATE) AS FIRST_USE, MAX(m.USE_DATE) AS LAST_USE, SUM(m.QTY) AS QTY
  FROM INP_DRUG_USE m
 WHERE m.PATIENT_ID = :pid
 GROUP BY m.PATIENT_ID, m.DRUG_CODE;

-- @innocent Epic-style row-level detail for one patient, doctor and drug columns but no aggregation
SELECT om.ORDER_MED_ID, om.ORDERING_DATE, ser.PROV_NAME, cm.NAME AS MED_NAME, om.QUANTITY, om.SIG
FROM ORDER_MED om
JOIN CLARITY_SER ser ON ser.PROV_ID = om.AUTHRZING_PROV_ID
JOIN CLARITY_MEDICATION cm ON cm.MEDICATION_ID = om.MEDICATION_ID
WHERE om.PAT_ID = @PatId
ORDER BY om.ORDERING_DATE DESC;

-- @innocent Neusoft pharmacy stock per drug per storage (PHA_COM_STOCKINFO)
SELECT s.DRUG_DEPT_CODE, s.DRUG_CODE, s.TRADE_NAME, SUM(s.STORE_SUM) AS STORE_QTY, SUM(s.STORE_COST) AS STORE_COST
  FROM PHA_COM_STOCKINFO s
 WHERE s.VALID_STATE = '1'
 GROUP BY s.DRUG_DEPT_CODE, s.DRUG_CODE, s.TRADE_NAME
HAVING SUM(s.STORE_SUM) < 10;

-- @innocent Neusoft purchase inbound: supplier (COMPANY_CODE) x drug
SELECT i.COMPANY_CODE, c.COMPANY_NAME, i.DRUG_CODE, i.TRADE_NAME,
       SUM(i.IN_NUM) AS IN_QTY, SUM(i.PURCHASE_COST) AS PUR_COST
  FROM PHA_COM_INPUT i, PHA_COM_COMPANY c
 WHERE i.COMPANY_CODE = c.FAC_CODE
   AND i.IN_DATE >= ADD_MONTHS(SYSDATE, -3)
 GROUP BY i.COMPANY_CODE, c.COMPANY_NAME, i.DRUG_CODE, i.TRADE_NAME;

-- @innocent manufacturer x drug count in the drug dictionary (B-soft YK_TYPK / YK_CDDZ)
SELECT t.YPCD, d.CDMC, COUNT(*) AS YP_COUNT, LISTAGG(t.YPMC, ';') WITHIN GROUP (ORDER BY t.YPMC) AS YP_LIST
  FROM YK_TYPK t
  JOIN YK_CDDZ d ON d.YPCD = t.YPCD
 WHERE t.ZFPB = 0
 GROUP BY t.YPCD, d.CDMC;

-- @innocent price audit: charged unit price differs from dictionary retail price
SELECT f.ITEM_CODE, f.ITEM_NAME, f.UNIT_PRICE, p.RETAIL_PRICE, COUNT(*) AS ROWS_AFFECTED
  FROM FIN_OPB_FEEDETAIL f
  JOIN PHA_COM_BASEINFO p ON p.DRUG_CODE = f.ITEM_CODE
 WHERE f.DRUG_FLAG = '1'
   AND f.UNIT_PRICE <> p.RETAIL_PRICE
 GROUP BY f.ITEM_CODE, f.ITEM_NAME, f.UNIT_PRICE, p.RETAIL_PRICE;

-- @innocent dictionary maintenance: update drug dictionary entry (Winning YK_YPML)
UPDATE YK_YPML
   SET ypgg = '0.5g*12粒', jlzt = 0, xgrq = CONVERT(varchar(16), GETDATE(), 120)
 WHERE idm = 10234;

-- @innocent Oracle DBA: find heavy SQL touching the recipe tables in v$sql
SELECT sql_id, executions, ROUND(elapsed_time / 1e6, 1) AS elapsed_s, SUBSTR(sql_text, 1, 200) AS txt
  FROM v$sql
 WHERE UPPER(sql_text) LIKE '%MET_ORD_RECIPEDETAIL%'
 ORDER BY elapsed_time DESC
 FETCH FIRST 20 ROWS ONLY;

-- @innocent SQL Server DBA: index usage on the prescription detail table
SELECT OBJECT_NAME(s.object_id) AS tbl, i.name AS idx, s.user_seeks, s.user_scans, s.user_updates
FROM sys.dm_db_index_usage_stats s
JOIN sys.indexes i ON i.object_id = s.object_id AND i.index_id = s.index_id
WHERE s.database_id = DB_ID('HIS') AND OBJECT_NAME(s.object_id) = 'SF_CFMXK';

-- @innocent GROUPING SETS keeping doctor totals and drug totals apart
SELECT rx.prescriber_id, rx.drug_code, SUM(rx.qty) AS qty
FROM pharmacy.outpatient_rx rx
WHERE rx.dispensed_on BETWEEN '2024-04-01' AND '2024-06-30'
GROUP BY GROUPING SETS ((rx.prescriber_id), (rx.drug_code));

-- @innocent ward (nurse cell) x drug from inpatient dispensing applications
SELECT A.NURSE_CELL_CODE, A.DRUG_CODE, A.TRADE_NAME, SUM(A.APPLY_NUM) AS QTY
  FROM PHA_COM_APPLYOUT A
 WHERE A.APPLY_DATE >= TRUNC(SYSDATE) - 1
 GROUP BY A.NURSE_CELL_CODE, A.DRUG_CODE, A.TRADE_NAME;

-- @innocent ClickHouse month x drug trend
SELECT toStartOfMonth(rx_time) AS m, med_cd, sum(qty) AS qty, uniqExact(patient_id) AS pats
FROM dw.rx_line
WHERE rx_time >= '2024-01-01'
GROUP BY m, med_cd
ORDER BY m, qty DESC;

-- @innocent doctor x diagnosis (ICD-10) outpatient counts
SELECT z.ysdm, z.zddm, z.zdmc, COUNT(*) AS rc
FROM mz_zdjl z
WHERE z.jzrq >= '20240101'
GROUP BY z.ysdm, z.zddm, z.zdmc;

-- @innocent Epic-style doctor x lab test (ORDER_PROC, lab order type)
SELECT op.AUTHRZING_PROV_ID, op.PROC_ID, eap.PROC_NAME, COUNT(*) AS N
FROM ORDER_PROC op
JOIN CLARITY_EAP eap ON eap.PROC_ID = op.PROC_ID
WHERE op.ORDER_TYPE_C = 7
  AND op.ORDERING_DATE >= '2024-01-01'
GROUP BY op.AUTHRZING_PROV_ID, op.PROC_ID, eap.PROC_NAME;

-- @innocent FHIR MedicationAdministration: performing nurse x medication (administration, not prescribing)
SELECT ma.performer_actor_reference AS nurse,
       ma.medication_codeableconcept #>> '{coding,0,code}' AS med_code,
       count(*) AS administrations
FROM fhir.medicationadministration ma
WHERE ma.effective_datetime >= date '2024-06-01'
GROUP BY 1, 2;

-- @innocent Chinese HIS infusion execution: 执行护士 (hsdm) x drug
SELECT x.hsdm, h.name AS hsxm, x.ypdm, COUNT(*) AS zxcs
FROM ZY_SYZXJL x
JOIN YY_ZGBMK h ON h.id = x.hsdm AND h.zwlb = '护士'
WHERE x.zxsj >= '2024060100:00:00'
GROUP BY x.hsdm, h.name, x.ypdm;

-- @innocent Winning pharmacy dispensing: pharmacist (fyr) x drug; ysdm present but not grouped
SELECT f.fyr, z.name AS fyrxm, f.ypdm, f.ypmc, SUM(f.ypsl) AS sl, COUNT(DISTINCT f.ysdm) AS n_doctors
FROM YF_FYJL f WITH (NOLOCK)
JOIN YY_ZGBMK z ON z.id = f.fyr
WHERE f.fyrq >= @ksrq
GROUP BY f.fyr, z.name, f.ypdm, f.ypmc;

-- @innocent per doctor number of distinct drugs prescribed (per-doctor only)
SELECT rx_doc, COUNT(DISTINCT med_cd) AS distinct_meds, COUNT(*) AS lines
FROM his.rx_detail
WHERE rx_date >= '2024-06-01'
GROUP BY rx_doc;

-- @innocent OpenMRS encounters per provider (workload, no drug)
SELECT ep.provider_id, pn.given_name, pn.family_name, COUNT(DISTINCT e.encounter_id) AS encounters
FROM encounter e
JOIN encounter_provider ep ON ep.encounter_id = e.encounter_id
JOIN provider pr ON pr.provider_id = ep.provider_id
JOIN person_name pn ON pn.person_id = pr.person_id
WHERE e.encounter_datetime >= '2024-01-01' AND e.voided = 0
GROUP BY ep.provider_id, pn.given_name, pn.family_name;

-- @innocent Cerner-style PRSNL x catalog TYPE (pharmacy / lab / radiology), not a drug
SELECT p.NAME_FULL_FORMATTED, uar_get_code_display(o.CATALOG_TYPE_CD) AS CAT_TYPE, COUNT(*) AS N
FROM ORDERS o
JOIN ORDER_ACTION oa ON oa.ORDER_ID = o.ORDER_ID
JOIN PRSNL p ON p.PERSON_ID = oa.ORDER_PROVIDER_ID
WHERE o.ORIG_ORDER_DT_TM > SYSDATE - 30
GROUP BY p.NAME_FULL_FORMATTED, o.CATALOG_TYPE_CD;

-- @innocent department x doctor workload WITH ROLLUP (MySQL), no drug
SELECT dept_code, doctor_code, COUNT(*) AS visits, SUM(total_fee) AS fee
FROM outp_visit
WHERE visit_date >= '2024-06-01'
GROUP BY dept_code, doctor_code WITH ROLLUP;

-- @innocent Oracle PIVOT of drugs as columns by month (no doctor)
SELECT *
  FROM (SELECT TO_CHAR(KFRQ, 'YYYY-MM') AS YF, YPBM, SL FROM MZ_CFMX WHERE KFRQ >= DATE '2024-01-01')
 PIVOT (SUM(SL) FOR YPBM IN ('Y0001' AS AMXL, 'Y0002' AS TBKW, 'Y0107' AS AMLZ))
 ORDER BY YF;

-- @innocent CASE WHEN pivot: drugs as columns, rows per department
SELECT c.ksdm,
       SUM(CASE WHEN c.ypbm = 'Y0001' THEN c.sl ELSE 0 END) AS amxl,
       SUM(CASE WHEN c.ypbm = 'Y0002' THEN c.sl ELSE 0 END) AS tbkw,
       SUM(CASE WHEN c.ypbm = 'Y0107' THEN c.sl ELSE 0 END) AS amlz
FROM mz_cfmx c
GROUP BY c.ksdm;

-- @innocent row-level: ROW_NUMBER partitioned by patient, doctor and drug columns listed, no aggregation
SELECT *
  FROM (SELECT o.PATIENT_ID, o.ORDER_DOC, o.DRUG_CODE, o.START_TIME,
               ROW_NUMBER() OVER (PARTITION BY o.PATIENT_ID ORDER BY o.START_TIME DESC) AS RN
          FROM INP_ORDERS o
         WHERE o.DEPT_CODE = '0203')
 WHERE RN = 1;

-- @innocent doctor professional TITLE (职称) x drug, a group of doctors like a department
SELECT s.ZC AS title, c.YPBM, SUM(c.SL) AS SL
  FROM MZ_CF_MX c
  JOIN XT_YSZD s ON s.YSBM = c.YSBM
 GROUP BY s.ZC, c.YPBM;

-- @innocent Neusoft inpatient non-drug item list totals per patient (FIN_IPB_ITEMLIST)
SELECT i.INPATIENT_NO, i.FEE_CODE, SUM(i.TOT_COST) AS TOT
  FROM FIN_IPB_ITEMLIST i
 WHERE i.INPATIENT_NO = :inpatientNo
 GROUP BY i.INPATIENT_NO, i.FEE_CODE;
