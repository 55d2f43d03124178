-- Second blind set (stop 24), written by a second engineer who never read the analyser source
-- or the other corpus files; labels follow the written 统方 definition only. Measured blind
-- before any change: precision 1.000, recall 0.583 (21 of 36). The analyser was then changed
-- on it (Caché paths and _DR references, [n] binds, operands inside recasing calls, orderer), so it is
-- no longer held out: tests/sql_corpus.rs keeps a floor under its figures.
-- @tongfang DHC Cache: implicit-join OEORI_Doctor_DR x OEORI_ItmMast_DR, items restricted to drugs by OrderType R
SELECT OEORI_Doctor_DR->CTPCP_Desc AS docname,
       OEORI_ItmMast_DR->ARCIM_Code,
       OEORI_ItmMast_DR->ARCIM_Desc,
       SUM(OEORI_PhQtyOrd) AS qty
FROM OE_OrdItem
WHERE OEORI_SttDat BETWEEN {d '2024-05-01'} AND {d '2024-05-31'}
  AND OEORI_ItmMast_DR->ARCIM_ItemCat_DR->ARCIC_OrderType = 'R'
  AND OEORI_ItemStat_DR->OSTAT_Code <> 'D'
GROUP BY OEORI_Doctor_DR, OEORI_ItmMast_DR
-- @innocent Neusoft outpatient per-drug totals only, no doctor
SELECT f.item_code, f.item_name, f.specs,
       SUM(f.qty) qty,
       SUM(f.tot_cost) cost
  FROM fin_opb_feedetail f
 WHERE f.drug_flag = '1'
   AND f.cancel_flag = '1'
   AND f.fee_date >= TO_DATE('2024-03-01', 'yyyy-mm-dd')
   AND f.fee_date <  TO_DATE('2024-04-01', 'yyyy-mm-dd')
 GROUP BY f.item_code, f.item_name, f.specs
 ORDER BY cost DESC
-- @tongfang DHC Cache: one doctor fixed by DR row id (1187), grouped per item master, drug via ARCIM_PHCDF_DR not null
SELECT OEORI_ItmMast_DR, COUNT(*) AS n, SUM(OEORI_PhQtyOrd) AS q
FROM SQLUser.OE_OrdItem
WHERE OEORI_Doctor_DR = 1187
  AND OEORI_SttDat >= {d '2024-01-01'}
  AND OEORI_ItmMast_DR->ARCIM_PHCDF_DR IS NOT NULL
GROUP BY OEORI_ItmMast_DR
ORDER BY q DESC
-- @innocent DHC Cache: ordering department x drug item (OEORI_OrdDept_DR is a location, not a doctor)
SELECT OEORI_OrdDept_DR->CTLOC_Desc AS dept,
       OEORI_ItmMast_DR->ARCIM_Desc AS item,
       SUM(OEORI_PhQtyOrd) AS qty
FROM OE_OrdItem
WHERE OEORI_SttDat BETWEEN {d '2024-05-01'} AND {d '2024-05-31'}
  AND OEORI_ItmMast_DR->ARCIM_ItemCat_DR->ARCIC_OrderType = 'R'
GROUP BY OEORI_OrdDept_DR, OEORI_ItmMast_DR
-- @tongfang DHC Cache: one drug by %SQLUPPER contains-operator on ARCIM_Desc, counts per OEORI_Doctor_DR
SELECT OEORI_Doctor_DR->CTPCP_Desc, COUNT(OEORI_RowId) AS cnt, SUM(OEORI_PhQtyOrd) AS qty
FROM OE_OrdItem
WHERE %SQLUPPER(OEORI_ItmMast_DR->ARCIM_Desc) [ %SQLUPPER('注射用头孢哌酮钠舒巴坦钠')
  AND OEORI_SttDat >= {d '2024-04-01'}
GROUP BY OEORI_Doctor_DR
-- @innocent DHC Cache: doctor x order sub-category (ARC_ItemCat e.g. 西药/中成药/抗菌药) = drug class, not drug
SELECT OEORI_Doctor_DR->CTPCP_Desc AS doctor,
       OEORI_ItmMast_DR->ARCIM_ItemCat_DR->ARCIC_Desc AS subcat,
       COUNT(*) AS n
FROM OE_OrdItem
WHERE OEORI_SttDat >= {d '2024-06-01'}
  AND OEORI_ItmMast_DR->ARCIM_ItemCat_DR->ARCIC_OrderType = 'R'
GROUP BY OEORI_Doctor_DR, OEORI_ItmMast_DR->ARCIM_ItemCat_DR
-- @tongfang Winning THIS4 outpatient: SF_MZCFK.ysdm joined to YY_ZGBMK staff dict, SF_CFMXK drug lines (cd_idm<>0)
select c.name as ysxm, b.ypdm, b.ypmc, b.ypgg,
       sum(b.ypsl*b.cfts/b.dwxs) as sl,
       sum(b.ypsl*b.cfts*b.ylsj/b.ykxs) as je
from SF_MZCFK a (nolock)
inner join SF_CFMXK b (nolock) on a.xh = b.cfxh
inner join YY_ZGBMK c (nolock) on a.ysdm = c.id
where a.jlzt = 0 and b.cd_idm <> 0
  and a.lrrq between '2024050100:00:00' and '2024053123:59:59'
group by c.name, b.ypdm, b.ypmc, b.ypgg
order by c.name, je desc
-- @innocent Neusoft outpatient per doctor x drug_flag (drug vs non-drug split for 药占比), no drug dimension
select t.doct_code, t.drug_flag, sum(t.tot_cost) cost, count(distinct t.recipe_no) recipes
  from fin_opb_feedetail t
 where t.pay_flag = '1' and t.cancel_flag = '1' and t.fee_date >= trunc(sysdate, 'mm')
 group by t.doct_code, t.drug_flag
 order by t.doct_code, t.drug_flag
-- @tongfang Winning inpatient ZY_BRFYMXK grouped by ysdm and idm; idm<>0 means the fee line is a drug
SELECT a.ysdm, a.idm, SUM(a.ypsl) ypsl, SUM(a.zje) zje
FROM ZY_BRFYMXK a WITH (NOLOCK)
WHERE a.idm <> 0 AND a.zxrq >= '2024060100:00:00' AND a.zxrq < '2024070100:00:00'
GROUP BY a.ysdm, a.idm
HAVING SUM(a.zje) > 0
-- @innocent Winning inpatient per doctor x 抗菌药物级别 (kjywjb) from drug dictionary join: class, not drug
select a.ysdm, c.name, d.kjywjb, count(distinct a.syxh) brs, sum(a.zje) zje
from ZY_BRFYMXK a (nolock)
join YK_YPCDMLK d (nolock) on a.idm = d.idm
join YY_ZGBMK c (nolock) on a.ysdm = c.id
where a.idm <> 0 and isnull(d.kjywjb, 0) > 0 and a.zxrq >= '2024010100:00:00'
group by a.ysdm, c.name, d.kjywjb
-- @tongfang ZLHIS (中联) Chinese identifiers: 开单人 x 收费项目目录 item, items restricted to drugs by 收费类别 5/6/7, [n] binds
Select A.开单人, B.编码, B.名称, B.规格,
       Sum(A.数次 * Nvl(A.付数, 1)) As 数量,
       Sum(A.实收金额) As 金额
  From 门诊费用记录 A, 收费项目目录 B
 Where A.收费细目id = B.Id
   And A.收费类别 In ('5', '6', '7')
   And A.记录状态 In (1, 3)
   And A.发生时间 Between [1] And [2]
 Group By A.开单人, B.编码, B.名称, B.规格
 Order By A.开单人
-- @innocent ZLHIS one patient's drug fee lines (row-level, has 开单人 and drug but no aggregation)
Select A.NO, A.发生时间, B.名称 As 药品, A.数次, A.实收金额, A.开单人 From 住院费用记录 A, 收费项目目录 B Where A.收费细目id = B.Id And A.病人id = [1] And A.主页id = [2] And A.收费类别 In ('5','6','7') Order By A.发生时间
-- @tongfang ZLHIS dispensing of one drug (药品id = [1]) per ordering doctor via 费用id join
Select C.开单人 As 医生,
       Count(Distinct C.病人id) As 人数,
       Sum(A.实际数量 * Nvl(A.付数, 1)) As 发药数量
  From 药品收发记录 A, 住院费用记录 C
 Where A.费用id = C.Id
   And A.单据 = 10
   And A.药品id = [1]
   And A.审核日期 Between [2] And [3]
 Group By C.开单人
-- @innocent Neusoft: dispensing stock by pharmacy warehouse x drug
SELECT s.drug_dept_code,
       s.drug_code,
       b.trade_name,
       SUM(s.store_sum) / MAX(b.pack_qty) AS packs
  FROM pha_com_stockinfo s, pha_com_baseinfo b
 WHERE s.drug_code = b.drug_code
   AND b.valid_state = '1'
 GROUP BY s.drug_dept_code, s.drug_code, b.trade_name
 ORDER BY s.drug_dept_code, s.drug_code
-- @tongfang B-soft inpatient ZY_FYMX: YSGH (医生工号) x FYXH (fee item) where YPLX>0 restricts items to drugs
select t.YSGH, t.FYXH, sum(t.FYSL) as FYSL, sum(t.ZJJE) as ZJJE from ZY_FYMX t where t.YPLX in (1, 2, 3) and t.FYRQ between to_date('2024-01-01','yyyy-mm-dd') and to_date('2024-12-31','yyyy-mm-dd') group by t.YSGH, t.FYXH
-- @innocent Neusoft drug dictionary price audit (retail vs wholesale markup), no aggregation
SELECT b.drug_code, b.trade_name, b.specs, b.retail_price, b.wholesale_price,
       ROUND((b.retail_price - b.wholesale_price) / NULLIF(b.wholesale_price, 0) * 100, 2) AS markup_pct
  FROM pha_com_baseinfo b
 WHERE b.valid_state = '1'
   AND b.retail_price > b.wholesale_price * 1.15
 ORDER BY markup_pct DESC
-- @tongfang OMOP (PostgreSQL): provider x drug concept x month, GROUP BY ordinals only
SELECT p.provider_name,
       c.concept_name AS drug,
       date_trunc('month', de.drug_exposure_start_date)::date AS month,
       COUNT(*) AS exposures,
       SUM(de.quantity) AS total_qty
FROM cdm.drug_exposure de
JOIN cdm.provider p ON p.provider_id = de.provider_id
JOIN cdm.concept c ON c.concept_id = de.drug_concept_id
WHERE de.drug_exposure_start_date >= DATE '2023-01-01'
GROUP BY 1, 2, 3
ORDER BY 1, 3, 5 DESC;
-- @innocent Winning dictionary maintenance: update retail price of one drug in YK_YPCDMLK
UPDATE YK_YPCDMLK SET ylsj = 12.50, ykxs = 1 WHERE idm = 28813 AND ypdm = 'XY001234'
-- @tongfang OMOP window: SUM/COUNT OVER (PARTITION BY provider_id, drug_concept_id), no GROUP BY
select distinct de.provider_id, de.drug_concept_id,
  sum(de.quantity) over (partition by de.provider_id, de.drug_concept_id) as qty,
  count(*) over (partition by de.provider_id, de.drug_concept_id) as n
from drug_exposure de
where de.drug_type_concept_id = 38000177
  and de.drug_exposure_start_date between '2023-01-01' and '2023-12-31'
-- @innocent Neusoft dictionary: insert a new doctor into COM_EMPLOYEE
INSERT INTO com_employee (empl_code, empl_name, spell_code, sex_code, dept_code, empl_type, valid_state, oper_code, oper_date)
VALUES ('002318', '陈晓明', 'CXM', 'M', '5011', 'D', '1', '009999', SYSDATE)
-- @tongfang OpenMRS (MySQL): orders.orderer x drug_order.drug_inventory_id WITH ROLLUP
SELECT o.orderer, d.drug_inventory_id, COUNT(*) AS orders, SUM(d.quantity) AS qty
FROM orders o
JOIN drug_order d ON d.order_id = o.order_id
WHERE o.voided = 0 AND o.date_activated >= '2024-01-01'
GROUP BY o.orderer, d.drug_inventory_id WITH ROLLUP
-- @innocent OpenMRS: number of distinct drugs per orderer (one number per doctor, no per-drug figures)
SELECT o.orderer, COUNT(DISTINCT d.drug_inventory_id) AS distinct_drugs, COUNT(*) AS drug_orders FROM orders o JOIN drug_order d ON d.order_id = o.order_id WHERE o.voided = 0 GROUP BY o.orderer
-- @tongfang MySQL IF() pivot: three statins as columns grouped by kdys_bm (开单医生)
SELECT `kdys_bm`, `kdys_xm`,
  SUM(IF(`yp_code` = '86900234000123', `sl`, 0)) AS `阿托伐他汀钙片`,
  SUM(IF(`yp_code` = '86900234000456', `sl`, 0)) AS `瑞舒伐他汀钙片`,
  SUM(IF(`yp_code` = '86902211000789', `sl`, 0)) AS `匹伐他汀钙片`
FROM `mz_cfmx`
WHERE `cf_rq` >= '2024-07-01' AND `cf_rq` < '2024-08-01'
GROUP BY `kdys_bm`, `kdys_xm`
-- @innocent MySQL IF() pivot: drugs as columns but grouped by department (ksmc), no doctor
SELECT k.ksmc,
  SUM(IF(m.ypdm = 'XY00123', m.sl, 0)) AS `阿莫西林胶囊`,
  SUM(IF(m.ypdm = 'XY00456', m.sl, 0)) AS `头孢克肟分散片`
FROM mz_cfmx m JOIN gy_ksdm k ON k.ksdm = m.ksdm
WHERE m.cfrq >= '2024-07-01'
GROUP BY k.ksmc
-- @tongfang SQL Server PIVOT: drug names as [columns], rows per ysxm (医生姓名)
SELECT p.*
FROM (
    SELECT d.[ysxm], m.[ypmc], m.[sl]
    FROM [dbo].[mz_cf_zb] d
    INNER JOIN [dbo].[mz_cf_mx] m ON m.[cfh] = d.[cfh]
    WHERE d.[kfrq] >= '20240101' AND d.[kfrq] < '20240201' AND d.[zfbz] = 0
) AS s
PIVOT (SUM([sl]) FOR [ypmc] IN ([阿莫西林胶囊], [头孢克肟分散片], [左氧氟沙星片], [奥美拉唑肠溶胶囊])) AS p
ORDER BY p.[ysxm];
-- @innocent Oracle PIVOT: months as columns per drug (month x drug trend), inpatient medicine list
SELECT *
  FROM (SELECT TO_CHAR(m.fee_date, 'MM') AS mon, m.drug_code, m.drug_name, m.qty
          FROM fin_ipb_medicinelist m
         WHERE m.fee_date >= DATE '2024-01-01' AND m.fee_date < DATE '2024-07-01')
 PIVOT (SUM(qty) FOR mon IN ('01' AS jan, '02' AS feb, '03' AS mar, '04' AS apr, '05' AS may, '06' AS jun))
 ORDER BY drug_code
-- @tongfang Oracle PIVOT the other way: doctor codes as columns, rows per drug_code (Neusoft recipe detail)
SELECT *
  FROM (SELECT r.item_code AS drug_code, r.doct_code, r.qty
          FROM met_ord_recipedetail r
         WHERE r.drug_flag = '1'
           AND r.oper_date >= TRUNC(SYSDATE, 'MM'))
 PIVOT (SUM(qty) FOR doct_code IN ('000123' AS zhang_wei, '000217' AS li_na, '000305' AS wang_qiang))
 ORDER BY drug_code
-- @innocent Neusoft registrations per doctor (fin_opr_register), no drug data at all
SELECT r.doct_code, r.doct_name, r.dept_name, COUNT(*) AS reg_cnt, SUM(r.reg_fee + r.diag_fee) AS fee
  FROM fin_opr_register r
 WHERE r.valid_flag = '1'
   AND r.reg_date >= TRUNC(SYSDATE) - 7
 GROUP BY r.doct_code, r.doct_name, r.dept_name
-- @tongfang CTE with upper-case pinyin initials KDYS x YPBM, outer query filters and sorts
WITH TJ AS (
  SELECT KDYS, YPBM, YPMC, SUM(SL) AS ZSL, SUM(JE) AS ZJE
    FROM MZ_CFMX
   WHERE CFRQ BETWEEN :KSRQ AND :JSRQ
   GROUP BY KDYS, YPBM, YPMC
)
SELECT * FROM TJ WHERE ZSL >= 50 ORDER BY ZJE DESC
-- @innocent Neusoft lab orders per doctor x lab item (class_code UL = 检验), items are not drugs
select r.doct_code, r.item_code, r.item_name, count(*) cnt
  from met_ord_recipedetail r
 where r.class_code = 'UL'
   and r.oper_date >= to_date('2024-05-01', 'yyyy-mm-dd')
 group by r.doct_code, r.item_code, r.item_name
-- @tongfang top-3 prescribers per drug: ROW_NUMBER() OVER (PARTITION BY yp_code ORDER BY SUM(sl) DESC)
select * from (
  select x.yp_code, x.ys_dm, sum(x.sl) as zsl,
         row_number() over (partition by x.yp_code order by sum(x.sl) desc) as rn
  from zy_yz_mx x
  where x.yzlb in ('1','2') and x.kssj >= date '2024-01-01'
  group by x.yp_code, x.ys_dm
) t where t.rn <= 3
-- @innocent B-soft style view: department x doctor prescription counts and amounts, no drug
SELECT [KSDM], [YSDM], COUNT(DISTINCT [CFSB]) AS [CFS], SUM([HJJE]) AS [JE] FROM [dbo].[V_MZ_CF] WHERE [KFRQ] >= '2024-01-01' GROUP BY [KSDM], [YSDM] ORDER BY [KSDM], [JE] DESC
-- @tongfang UNION ALL of three single-drug blocks each grouped by yisheng_bianma (full pinyin names)
SELECT '阿托伐他汀钙片' AS yaopin_mingcheng, yisheng_bianma, SUM(shuliang) AS shuliang FROM menzhen_chufang_mingxi WHERE yaopin_bianma = 'XC10AAA' GROUP BY yisheng_bianma
UNION ALL
SELECT '氯吡格雷片', yisheng_bianma, SUM(shuliang) FROM menzhen_chufang_mingxi WHERE yaopin_bianma = 'XB01ACA' GROUP BY yisheng_bianma
UNION ALL
SELECT '单硝酸异山梨酯缓释片', yisheng_bianma, SUM(shuliang) FROM menzhen_chufang_mingxi WHERE yaopin_bianma = 'XC01DAB' GROUP BY yisheng_bianma
-- @innocent Neusoft per-doctor drug cost ratio (药占比) using DECODE on drug_flag, grouped by doctor only
select t.doct_code,
       fun_get_employee_name(t.doct_code) doct_name,
       sum(decode(t.drug_flag, '1', t.tot_cost, 0)) drug_cost,
       sum(t.tot_cost) all_cost,
       round(sum(decode(t.drug_flag, '1', t.tot_cost, 0)) / nullif(sum(t.tot_cost), 0) * 100, 2) drug_ratio
  from fin_opb_feedetail t
 where t.pay_flag = '1' and t.cancel_flag = '1' and t.fee_date >= trunc(sysdate, 'mm')
 group by t.doct_code
-- @tongfang GROUPING SETS ((prescriber_id, med_id), (prescriber_id), ()) contains the pair
SELECT prescriber_id, med_id, SUM(dispensed_qty) AS qty, GROUPING(med_id) AS is_subtotal
FROM rx_fill
WHERE fill_date >= '2024-01-01'
GROUP BY GROUPING SETS ((prescriber_id, med_id), (prescriber_id), ())
-- @innocent GROUPING SETS ((prescriber_id), (med_id)): doctor totals and drug totals, never together
SELECT prescriber_id, med_id, SUM(dispensed_qty) AS qty
FROM rx_fill
WHERE fill_date >= '2024-01-01'
GROUP BY GROUPING SETS ((prescriber_id), (med_id))
-- @tongfang Oracle CUBE(ys.xm, yp.ypmc): zb.ysid joined to xt_ry (staff), mx.ypid joined to yk_ypzd (drug dict)
select nvl(ys.xm, '合计') 医师, nvl(yp.ypmc, '小计') 药品, sum(mx.je) je
from cf_mx mx, cf_zb zb, xt_ry ys, yk_ypzd yp
where mx.cfid = zb.id and zb.ysid = ys.id and mx.ypid = yp.id
  and zb.cfsj >= add_months(trunc(sysdate, 'mm'), -1) and zb.cfsj < trunc(sysdate, 'mm')
group by cube(ys.xm, yp.ypmc)
-- @innocent same cf_mx/yk_ypzd schema: top-10 drugs by quantity (ROW_NUMBER over whole set), no doctor
SELECT * FROM (SELECT yp.ypmc, SUM(mx.sl) zsl, ROW_NUMBER() OVER (ORDER BY SUM(mx.sl) DESC) rn FROM cf_mx mx JOIN yk_ypzd yp ON yp.id = mx.ypid GROUP BY yp.ypmc) WHERE rn <= 10
-- @tongfang SQL Server ROLLUP(dept, doctor, drug) with ISNULL labels, staff and drug dictionaries joined
SELECT ISNULL(k.ksmc, N'全院') AS ksmc,
       ISNULL(y.ysxm, N'科室小计') AS ysxm,
       ISNULL(d.ypmc, N'医生小计') AS ypmc,
       SUM(m.sl) AS sl
FROM dbo.zy_yzmx m
JOIN dbo.gy_ksdm k ON k.ksdm = m.ksdm
JOIN dbo.gy_ysdm y ON y.ysdm = m.ysdm
JOIN dbo.yk_ypdm d ON d.ypdm = m.ypdm
GROUP BY ROLLUP (k.ksmc, y.ysxm, d.ypmc)
-- @innocent same cf_zb/xt_ry schema: doctors ranked by total prescription amount (RANK), no drug
SELECT ys.xm, SUM(mx.je) je, RANK() OVER (ORDER BY SUM(mx.je) DESC) pm FROM cf_mx mx, cf_zb zb, xt_ry ys WHERE mx.cfid = zb.id AND zb.ysid = ys.id GROUP BY ys.xm
-- @tongfang opaque report table: meaning only from aliases a.col3 AS ys (医生), a.col7 AS yp (药品)
select a.col3 as ys, a.col7 as yp, sum(a.col9) as sl, sum(a.col11) as je from t_rpt_src_0031 a where a.col1 between '20240101' and '20240131' group by a.col3, a.col7
-- @innocent same opaque report table: a.col2 AS ks (科室) x a.col7 AS yp (药品), department not doctor
select a.col2 as ks, a.col7 as yp, sum(a.col9) as sl from t_rpt_src_0031 a where a.col1 between '20240101' and '20240131' group by a.col2, a.col7
-- @tongfang small clinic system: c.czy joined to sys_user, c.med_id joined to med_dict
SELECT u.user_name, d.med_name, d.spec,
       SUM(c.num) AS num,
       SUM(c.num * c.price) AS amount
FROM clinic_cf_detail c
LEFT JOIN sys_user u ON u.user_id = c.czy
LEFT JOIN med_dict d ON d.id = c.med_id
WHERE c.create_time >= '2024-08-01' AND c.del_flag = '0'
GROUP BY u.user_name, d.med_name, d.spec
-- @innocent Oracle DBA: v$sql search for statements that look like doctor x drug reports (only text in literals)
SELECT s.sql_id, s.parsing_schema_name, s.executions, s.last_active_time,
       SUBSTR(s.sql_text, 1, 200) AS sql_head
  FROM v$sql s
 WHERE UPPER(s.sql_text) LIKE '%FIN_OPB_FEEDETAIL%'
   AND UPPER(s.sql_text) LIKE '%GROUP BY%DOCT_CODE%ITEM_CODE%'
 ORDER BY s.last_active_time DESC
-- @tongfang PostgreSQL FILTER pivot: per prescriber_id counts of two specific NDCs
SELECT r.prescriber_id,
       count(*) FILTER (WHERE r.ndc = '00071015523') AS lipitor_rx,
       count(*) FILTER (WHERE r.ndc = '00310075190') AS crestor_rx,
       sum(r.qty) FILTER (WHERE r.ndc = '00310075190') AS crestor_qty
FROM rx.prescription r
WHERE r.written_date >= now() - interval '90 days'
GROUP BY r.prescriber_id
HAVING count(*) FILTER (WHERE r.ndc IN ('00071015523', '00310075190')) > 0;
-- @innocent PostgreSQL window per prescriber x ATC level-3 class (drug class), plus per-prescriber total
SELECT DISTINCT o.prescriber_id, d.atc_l3,
       SUM(o.qty) OVER (PARTITION BY o.prescriber_id, d.atc_l3) AS qty_in_class,
       SUM(o.qty) OVER (PARTITION BY o.prescriber_id) AS qty_total
FROM med_order o
JOIN drug_master d ON d.drug_id = o.drug_id
WHERE o.order_date >= DATE '2024-01-01'
-- @tongfang one drug by LIKE on ypmc, counts per kdys, no GROUP BY drug
select kdys, count(*) cfs, sum(sl) zsl from mzcfmx where ypmc like '%头孢呋辛酯%' and cfrq >= '2024-09-01' group by kdys order by zsl desc
-- @innocent same table: antibiotic-class flag kjywbz = '1' (a class, not one drug), per kdys
select kdys, count(*) cfs, sum(je) je from mzcfmx where kjywbz = '1' and cfrq >= '2024-09-01' group by kdys order by je desc
-- @tongfang JDBC ? binds: one doctor (doctor_id = ?) grouped per drug
SELECT drug_code, drug_name, COUNT(*) AS times, SUM(amount) AS total FROM his_prescription_detail WHERE doctor_id = ? AND create_time BETWEEN ? AND ? GROUP BY drug_code, drug_name ORDER BY total DESC
-- @innocent OMOP: per provider specialty for one drug concept (specialty is not a doctor)
SELECT c.concept_name AS specialty, COUNT(*) AS prescriptions_count
FROM drug_exposure de
JOIN provider p ON p.provider_id = de.provider_id
JOIN concept c ON c.concept_id = p.specialty_concept_id
WHERE de.drug_concept_id = 19078461
GROUP BY c.concept_name
ORDER BY 2 DESC
-- @tongfang SQL Server @PhysicianID: one physician's TOP 20 medications
SELECT TOP 20 m.MedicationName, SUM(ri.Quantity) AS TotalQty, COUNT(DISTINCT r.PrescriptionID) AS Scripts
FROM dbo.Prescriptions r
INNER JOIN dbo.PrescriptionItems ri ON ri.PrescriptionID = r.PrescriptionID
INNER JOIN dbo.Medications m ON m.MedicationID = ri.MedicationID
WHERE r.PhysicianID = @PhysicianID AND r.IssuedOn >= @From AND r.IssuedOn < @To
GROUP BY m.MedicationName
ORDER BY TotalQty DESC;
-- @innocent OpenMRS: encounters per provider (workload), no orders or drugs
SELECT ep.provider_id, pn.given_name, pn.family_name, COUNT(DISTINCT e.encounter_id) AS encounters
FROM encounter e
JOIN encounter_provider ep ON ep.encounter_id = e.encounter_id AND ep.voided = 0
JOIN provider pr ON pr.provider_id = ep.provider_id
JOIN person_name pn ON pn.person_id = pr.person_id AND pn.preferred = 1
WHERE e.encounter_datetime >= '2024-01-01' AND e.voided = 0
GROUP BY ep.provider_id, pn.given_name, pn.family_name
-- @tongfang Neusoft: IN list of three item codes (specs of one drug), grouped per doct_code
SELECT doct_code, SUM(qty) FROM fin_opb_feedetail WHERE item_code IN ('Y00000102711', 'Y00000102712', 'Y00000102719') AND cancel_flag = '1' AND fee_date >= TRUNC(SYSDATE) - 30 GROUP BY doct_code
-- @innocent Neusoft purchase statistics per supplier x drug (pha_com_input)
SELECT i.company_code, c.company_name, i.drug_code, b.trade_name,
       SUM(i.in_num / i.pack_qty) AS packs,
       SUM(i.purchase_cost) AS cost
  FROM pha_com_input i
  JOIN pha_com_company c ON c.company_id = i.company_code
  JOIN pha_com_baseinfo b ON b.drug_code = i.drug_code
 WHERE i.in_date >= DATE '2024-01-01'
 GROUP BY i.company_code, c.company_name, i.drug_code, b.trade_name
-- @tongfang SQL Server CROSS APPLY: per staff member (StaffType DOC) the TOP 5 drugs in a correlated inner GROUP BY
SELECT s.StaffCode, s.StaffName, t.DrugCode, t.Qty
FROM dbo.HR_Staff s
CROSS APPLY (
    SELECT TOP (5) od.DrugCode, SUM(od.Qty) AS Qty
    FROM dbo.OP_OrderDetail od
    WHERE od.OrderDoctor = s.StaffCode
      AND od.OrderDate >= DATEADD(MONTH, -1, GETDATE())
    GROUP BY od.DrugCode
    ORDER BY SUM(od.Qty) DESC
) AS t
WHERE s.StaffType = 'DOC';
-- @innocent Neusoft per manufacturer x generic drug sales from fee detail (no doctor)
SELECT b.producer_code, b.regular_name, SUM(f.tot_cost) AS sales
  FROM fin_opb_feedetail f, pha_com_baseinfo b
 WHERE f.item_code = b.drug_code
   AND f.drug_flag = '1'
   AND f.fee_date >= ADD_MONTHS(TRUNC(SYSDATE, 'MM'), -3)
 GROUP BY b.producer_code, b.regular_name
 ORDER BY b.regular_name, sales DESC
-- @tongfang PostgreSQL CROSS JOIN LATERAL: for each monitored drug, top-3 ordering_staff_no
select d.drug_code, d.generic_name, t3.staff_no, t3.cnt
from drug_catalog d
cross join lateral (
  select o.ordering_staff_no as staff_no, count(*) as cnt
  from cpoe_med_order o
  where o.drug_code = d.drug_code
    and o.order_time >= current_date - 30
  group by o.ordering_staff_no
  order by cnt desc
  limit 3
) t3
where d.is_key_monitor = true
-- @innocent antibacterial DDDs per ward x generic drug (ward is not a doctor)
SELECT w.ward_name, d.generic_name, SUM(o.total_dose_mg) / d.ddd_mg AS ddds
FROM ip_med_admin o
JOIN ward w ON w.ward_id = o.ward_id
JOIN drug_dict d ON d.drug_id = o.drug_id
WHERE d.is_antibacterial = 1
  AND o.admin_time >= '2024-01-01' AND o.admin_time < '2024-04-01'
GROUP BY w.ward_name, d.generic_name, d.ddd_mg
-- @tongfang MySQL derived table doctor x drug counts folded into GROUP_CONCAT per doctor
SELECT x.doctor_name,
       GROUP_CONCAT(CONCAT(x.drug_name, ':', x.n) ORDER BY x.n DESC SEPARATOR '; ') AS drug_summary
FROM (
  SELECT doc.name AS doctor_name, dr.name AS drug_name, COUNT(*) AS n
  FROM prescription p
  JOIN prescription_item pi ON pi.prescription_id = p.id
  JOIN doctor doc ON doc.id = p.doctor_id
  JOIN drug dr ON dr.id = pi.drug_id
  WHERE p.created_at >= DATE_SUB(CURDATE(), INTERVAL 1 MONTH)
  GROUP BY doc.name, dr.name
) x
GROUP BY x.doctor_name
-- @innocent two CTEs: per-doctor totals and per-drug totals stacked by UNION ALL, never combined
WITH by_doc AS (SELECT kdys AS k, SUM(je) AS je FROM mz_cfmx WHERE cfrq >= '2024-01-01' GROUP BY kdys),
     by_drug AS (SELECT ypbm AS k, SUM(je) AS je FROM mz_cfmx WHERE cfrq >= '2024-01-01' GROUP BY ypbm)
SELECT 'DOC' AS dim, k, je FROM by_doc
UNION ALL
SELECT 'DRUG', k, je FROM by_drug
-- @tongfang HL7 v2 staging tables: ORC-12 ordering provider x RXE-2 give code
SELECT orc.orc_12_ordering_provider_id_number AS npi,
       rxe.rxe_2_give_code_identifier AS give_code,
       SUM(CAST(rxe.rxe_10_dispense_amount AS DECIMAL(12, 2))) AS disp_amt
FROM hl7_orc orc
JOIN hl7_rxe rxe ON rxe.message_control_id = orc.message_control_id AND rxe.set_id = orc.set_id
WHERE orc.orc_9_datetime_of_transaction >= '20240101'
GROUP BY orc.orc_12_ordering_provider_id_number, rxe.rxe_2_give_code_identifier
-- @innocent Winning outpatient per patient (patid) x drug quantities for 医保 overuse review
SELECT b.patid, a.ypdm, a.ypmc, SUM(a.ypsl) AS zsl, COUNT(DISTINCT a.cfxh) AS cfcs
FROM SF_CFMXK a WITH (NOLOCK)
JOIN SF_MZCFK b WITH (NOLOCK) ON b.xh = a.cfxh
WHERE b.jlzt = 0 AND a.cd_idm <> 0 AND b.lrrq >= '2024010100:00:00'
GROUP BY b.patid, a.ypdm, a.ypmc
HAVING SUM(a.ypsl) > 100
-- @tongfang Winning: INSERT INTO #temp SELECT grouped by SF_MZCFK.ysdm x SF_CFMXK.ypdm
INSERT INTO #tf_tmp (ysdm, ypdm, sl)
SELECT b.ysdm, a.ypdm, SUM(a.ypsl)
FROM SF_CFMXK a (NOLOCK), SF_MZCFK b (NOLOCK)
WHERE a.cfxh = b.xh AND b.jlzt = 0 AND a.cd_idm > 0
GROUP BY b.ysdm, a.ypdm
-- @innocent Neusoft doctor x main diagnosis counts (met_cas_diagnose), no drug
SELECT d.doct_code, d.icd_code, d.diag_name, COUNT(*) cnt FROM met_cas_diagnose d WHERE d.main_flag = '1' AND d.diag_date >= DATE '2024-01-01' GROUP BY d.doct_code, d.icd_code, d.diag_name
-- @tongfang Neusoft Oracle (+) outer joins: COM_EMPLOYEE name x PHA_COM_BASEINFO trade name, DECODE on trans_type
SELECT E.EMPL_NAME, B.TRADE_NAME, B.SPECS,
       SUM(DECODE(A.TRANS_TYPE, '1', A.QTY, -A.QTY)) QTY,
       NVL(SUM(A.TOT_COST), 0) COST
  FROM FIN_IPB_MEDICINELIST A, PHA_COM_BASEINFO B, COM_EMPLOYEE E
 WHERE A.DRUG_CODE = B.DRUG_CODE(+)
   AND A.RECIPE_DOCCODE = E.EMPL_CODE(+)
   AND A.CHARGE_DATE >= TO_DATE('2024-02-01', 'YYYY-MM-DD')
 GROUP BY E.EMPL_NAME, B.TRADE_NAME, B.SPECS
-- @innocent Neusoft same joins but grouped by employee x drug_type (西药/中成药/草药 class), not drug
SELECT e.empl_name, b.drug_type, SUM(m.tot_cost) AS cost
  FROM fin_ipb_medicinelist m, com_employee e, pha_com_baseinfo b
 WHERE m.recipe_doccode = e.empl_code
   AND m.drug_code = b.drug_code
   AND m.fee_date >= DATE '2024-01-01'
 GROUP BY e.empl_name, b.drug_type
-- @tongfang DHC Cache explicit comma joins to CT_CareProv and ARC_ItmMast (drug via ARCIM_PHCDF_DR)
SELECT cp.CTPCP_Code, cp.CTPCP_Desc, am.ARCIM_Code, am.ARCIM_Desc, SUM(oi.OEORI_PhQtyOrd) AS Qty
FROM SQLUser.OE_OrdItem oi, SQLUser.CT_CareProv cp, SQLUser.ARC_ItmMast am
WHERE oi.OEORI_Doctor_DR = cp.CTPCP_RowId1
  AND oi.OEORI_ItmMast_DR = am.ARCIM_RowId
  AND am.ARCIM_PHCDF_DR IS NOT NULL
  AND oi.OEORI_SttDat >= {d '2024-03-01'}
GROUP BY cp.CTPCP_Code, cp.CTPCP_Desc, am.ARCIM_Code, am.ARCIM_Desc
-- @innocent Neusoft doctor list with prescribing privileges (antibiotic level, narcotic right), row-level dictionary read
SELECT e.empl_code, e.empl_name, e.dept_code, p.anti_level, p.narcotic_flag
  FROM com_employee e
  LEFT JOIN met_doct_privilege p ON p.empl_code = e.empl_code
 WHERE e.empl_type = 'D' AND e.valid_state = '1'
 ORDER BY e.dept_code, e.empl_code
-- @tongfang OMOP: one ingredient (atorvastatin via concept_ancestor) per provider_id
SELECT de.provider_id, COUNT(DISTINCT de.person_id) AS patients, SUM(de.days_supply) AS days
FROM drug_exposure de
JOIN concept_ancestor ca ON ca.descendant_concept_id = de.drug_concept_id
WHERE ca.ancestor_concept_id = 1545958 /* atorvastatin ingredient */
  AND de.drug_exposure_start_date >= '2023-01-01'
GROUP BY de.provider_id
-- @innocent Neusoft one day's drug order lines sorted by doctor and drug, no aggregation (row-level)
select r.doct_code, r.item_code, r.item_name, r.qty, r.clinic_code, r.oper_date
  from met_ord_recipedetail r
 where r.drug_flag = '1'
   and r.oper_date >= trunc(sysdate) - 1 and r.oper_date < trunc(sysdate)
 order by r.doct_code, r.item_code
-- @tongfang opaque T_FYMX: RYID joined to T_RY (人员), XMID joined to T_XM restricted to drug item classes
SELECT r.XM AS KDR, x.MC AS XMMC, SUM(t.SL) AS SL
FROM T_FYMX t
INNER JOIN T_RY r ON r.ID = t.RYID
INNER JOIN T_XM x ON x.ID = t.XMID
WHERE x.XMLB IN ('XY', 'ZCY') AND t.RQ >= '2024-01-01'
GROUP BY r.XM, x.MC
-- @innocent CASE-WHEN pivot of fee classes (西药费/中成药费/中草药费) per doctor: classes, not drugs
SELECT a.doct_code,
       SUM(CASE WHEN a.fee_code = '001' THEN a.tot_cost ELSE 0 END) AS 西药费,
       SUM(CASE WHEN a.fee_code = '002' THEN a.tot_cost ELSE 0 END) AS 中成药费,
       SUM(CASE WHEN a.fee_code = '003' THEN a.tot_cost ELSE 0 END) AS 中草药费
  FROM fin_opb_feedetail a
 WHERE a.cancel_flag = '1' AND a.fee_date >= TRUNC(SYSDATE, 'MM')
 GROUP BY a.doct_code
