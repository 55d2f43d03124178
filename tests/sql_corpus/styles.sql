-- Labelled statements in other naming styles and dialects (MySQL, PostgreSQL, English,
-- Chinese, snake_case pinyin). Format as in vendors.sql.
-- @tongfang MySQL snake_case pinyin
SELECT ys_code, yp_dm, SUM(sl) AS sl FROM mz_cf_mx WHERE kf_rq >= '2026-02-01' GROUP BY ys_code, yp_dm
-- @innocent MySQL snake_case pinyin: department totals
SELECT ks_code, SUM(je) AS je FROM mz_cf_mx WHERE kf_rq >= '2026-02-01' GROUP BY ks_code
-- @tongfang MySQL back-ticks everywhere
SELECT `t`.`kdys_bm`, `t`.`yp_bm`, COUNT(*) FROM `his`.`mz_cf_mx` `t` GROUP BY `t`.`kdys_bm`, `t`.`yp_bm`
-- @innocent MySQL: daily registrations by clinic
SELECT `gh_rq`, `ks_bm`, COUNT(*) FROM `his`.`mz_gh` GROUP BY `gh_rq`, `ks_bm`
-- @tongfang PostgreSQL English with schema
SELECT rx.prescriber_id, rx.drug_id, sum(rx.quantity) FROM clinical.prescriptions rx WHERE rx.issued_at >= date_trunc('month', now()) GROUP BY rx.prescriber_id, rx.drug_id
-- @innocent PostgreSQL: prescriptions per patient
SELECT rx.patient_id, count(*) FROM clinical.prescriptions rx GROUP BY rx.patient_id HAVING count(*) > 10
-- @tongfang PostgreSQL FILTER clause pivot
SELECT rx.prescriber_id, count(*) FILTER (WHERE rx.drug_id = 'ATV20') atv, count(*) FILTER (WHERE rx.drug_id = 'RSV10') rsv FROM clinical.prescriptions rx GROUP BY rx.prescriber_id
-- @innocent PostgreSQL: counts per status
SELECT status, count(*) FROM clinical.prescriptions GROUP BY status
-- @tongfang camelCase English
SELECT doctorCode, medicineCode, SUM(amount) FROM RxLine GROUP BY doctorCode, medicineCode
-- @innocent camelCase: per department per day
SELECT deptCode, rxDate, SUM(amount) FROM RxLine GROUP BY deptCode, rxDate
-- @tongfang PascalCase, SQL Server
SELECT PrescribingPhysicianId, MedicationId, COUNT(*) AS Lines FROM dbo.MedicationOrders GROUP BY PrescribingPhysicianId, MedicationId
-- @innocent PascalCase: medication order counts by route
SELECT RouteCode, COUNT(*) FROM dbo.MedicationOrders GROUP BY RouteCode
-- @tongfang Chinese table and column names, MySQL
SELECT 医生姓名, 药品通用名, SUM(数量) FROM 门诊处方 GROUP BY 医生姓名, 药品通用名
-- @innocent Chinese: department amount
SELECT 科室名称, SUM(金额) FROM 门诊处方 GROUP BY 科室名称
-- @tongfang Chinese: 开方医师 and 品名 with an alias
SELECT t.开方医师 AS 医师, t.品名, COUNT(*) AS 张数 FROM 处方明细 t GROUP BY t.开方医师, t.品名
-- @innocent Chinese: per patient amounts
SELECT t.患者ID, SUM(t.金额) FROM 处方明细 t GROUP BY t.患者ID
-- @tongfang Chinese alias on generic columns, positional group by
select c1 as 开单医生, c7 as 药品名称, sum(c9) from rpt_src group by 1, 2
-- @innocent Chinese alias on generic columns: department and month
select c2 as 科室, c3 as 月份, sum(c9) from rpt_src group by 1, 2
-- @tongfang alias on generic columns, group by expression
select a.c1 as ysxm, a.c2 as ypmc, sum(a.c3) from t_tj a group by a.c1, a.c2
-- @innocent alias on generic columns: department only
select a.c4 as ksmc, sum(a.c3) from t_tj a group by a.c4
-- @tongfang generic columns joined to doctor and drug dictionaries
select m.f1, m.f2, sum(m.f3) from t_detail m join doctor d on d.code = m.f1 join drug_dict g on g.code = m.f2 group by m.f1, m.f2
-- @innocent generic columns joined to department and supplier dictionaries
select m.f4, m.f5, sum(m.f3) from t_detail m join dept d on d.code = m.f4 join supplier s on s.code = m.f5 group by m.f4, m.f5
-- @tongfang MySQL GROUP_CONCAT of drugs per doctor
SELECT kd_ys, GROUP_CONCAT(DISTINCT yp_mc), COUNT(*) FROM mz_cf_mx WHERE yp_mc LIKE '%他汀%' GROUP BY kd_ys
-- @innocent MySQL GROUP_CONCAT of doctors per department
SELECT ks_mc, GROUP_CONCAT(DISTINCT ys_xm) FROM gy_ys GROUP BY ks_mc
-- @tongfang MySQL WITH ROLLUP
SELECT ys_gh, yp_bm, SUM(sl) FROM mz_cf_mx GROUP BY ys_gh, yp_bm WITH ROLLUP
-- @innocent MySQL WITH ROLLUP by month
SELECT DATE_FORMAT(kf_rq, '%Y-%m') m, SUM(je) FROM mz_cf_mx GROUP BY m WITH ROLLUP
-- @tongfang nested derived tables three deep
select * from (select * from (select kdys, ypdm, count(*) n from (select * from mz_cfmx where kfrq >= '2026-01-01') a group by kdys, ypdm) b where n > 5) c
-- @innocent nested derived tables: per department
select * from (select * from (select ksdm, count(*) n from (select * from mz_cfmx) a group by ksdm) b where n > 5) c
-- @tongfang exists subquery to a drug list, grouped by doctor
select m.zzys, count(*) from zy_yz m where exists (select 1 from rep_products r where r.ypdm = m.ypdm and r.company = '某医药') and m.ypdm = 'Y888' group by m.zzys
-- @innocent exists subquery, grouped by ward
select m.bqdm, count(*) from zy_yz m where exists (select 1 from zy_brry b where b.zyh = m.zyh and b.cyrq is null) group by m.bqdm
-- @tongfang Postgres doctor x drug through a lateral join
SELECT d.full_name, x.drug_code, x.n FROM doctors d CROSS JOIN LATERAL (SELECT r.drug_code, count(*) n FROM rx_lines r WHERE r.doctor_ref = d.id GROUP BY r.drug_code) x
-- @innocent Postgres: drugs with no use in 90 days
SELECT g.code, g.name FROM drug_formulary g WHERE NOT EXISTS (SELECT 1 FROM rx_lines r WHERE r.drug_code = g.code AND r.created > now() - interval '90 days')
-- @tongfang SQL Server TOP per drug, doctor name from the employee table
SELECT TOP 100 e.name, r.product_no, SUM(r.qty) FROM dbo.presc_items r JOIN dbo.employee e ON e.emp_no = r.doc_no WHERE r.product_no IN ('P1','P2') GROUP BY e.name, r.product_no
-- @innocent SQL Server: employees by title
SELECT e.title, COUNT(*) FROM dbo.employee e GROUP BY e.title
-- @tongfang doctor grouped, drug class is not drug: but drug fixed by code
SELECT ysdm, yplb, SUM(ypsl) FROM ms_cf02 WHERE ypxh = 'Y0007' GROUP BY ysdm, yplb
-- @innocent doctor by drug class (antibiotic monitoring), no drug
SELECT ysdm, yplb, SUM(ypsl) FROM ms_cf02 GROUP BY ysdm, yplb
-- @tongfang quantity columns named after drugs must not hide the real drug column
SELECT ysdm, ypxh, SUM(ypsl), SUM(ypje) FROM ms_cf02 GROUP BY ysdm, ypxh
-- @innocent per doctor drug quantity and amount, no drug dimension
SELECT ysdm, SUM(ypsl), SUM(ypje) FROM ms_cf02 GROUP BY ysdm
-- @tongfang lowercase english with table-qualified columns
select prescription_detail.doctor_no, prescription_detail.drug_no, count(*) from prescription_detail group by prescription_detail.doctor_no, prescription_detail.drug_no
-- @innocent lowercase english: prescriptions per day and dept
select prescription_detail.dept_no, prescription_detail.rx_day, count(*) from prescription_detail group by prescription_detail.dept_no, prescription_detail.rx_day
-- @tongfang both grouped via SELECT DISTINCT-free GROUP BY in an INSERT ... SELECT
INSERT INTO tf_month (ym, ys, yp, sl) SELECT '202602', kfys_dm, yp_xh, SUM(sl) FROM mz_cfmx GROUP BY kfys_dm, yp_xh
-- @innocent INSERT ... SELECT for department statistics
INSERT INTO ks_month (ym, ks, je) SELECT '202602', ks_dm, SUM(je) FROM mz_fymx GROUP BY ks_dm
-- @tongfang English abbreviations
select prov_id, ndc, sum(qty_disp) from claims_rx group by prov_id, ndc
-- @innocent English abbreviations: claims per payer
select payer_id, count(*) from claims_rx group by payer_id
-- @tongfang doctor fixed, drugs grouped, English
SELECT medication_name, COUNT(*) FROM orders WHERE ordering_provider = 'P1234' GROUP BY medication_name
-- @innocent medication counts by route, English
SELECT route, medication_form, COUNT(*) FROM orders GROUP BY route, medication_form
-- @tongfang Oracle CONNECT BY style report with doctor and drug
select lpad(' ', level) || ys.xm, yp.ypmc, s.sl from v_tf_tree s join gy_ygdm ys on ys.ygdm = s.ysdm join yk_typk yp on yp.ypxh = s.ypxh start with s.pid is null connect by prior s.id = s.pid
-- @innocent CONNECT BY: department tree
select lpad(' ', level) || ksmc from gy_ksdm start with sjks is null connect by prior ksdm = sjks
-- @tongfang group by with ordinal on aliased Chinese columns, SQL Server brackets
SELECT [YS].[XM] AS [医生], [YP].[MC] AS [药品], COUNT(*) FROM [CFMX] [M] JOIN [GY_YGDM] [YS] ON [YS].[YGDM]=[M].[KDR] JOIN [YK_TYPK] [YP] ON [YP].[YPXH]=[M].[YPXH] GROUP BY [YS].[XM], [YP].[MC]
-- @innocent SQL Server: staff count per department
SELECT [KS].[MC], COUNT(*) FROM [GY_YGDM] [YS] JOIN [GY_KSDM] [KS] ON [KS].[KSDM]=[YS].[KSDM] GROUP BY [KS].[MC]
-- @tongfang grouping sets with the pair together
SELECT kdys, ypdm, SUM(je) FROM mz_fymx GROUP BY GROUPING SETS ((kdys, ypdm), ())
-- @innocent grouping sets by department and by month
SELECT ksdm, yf, SUM(je) FROM mz_fymx GROUP BY GROUPING SETS ((ksdm), (yf))
-- @tongfang per-doctor figures of a rep's products picked by subquery on the drug table
select kdys, sum(sl) from mz_cfmx where ypdm in (select ypdm from gy_ypzd where sccj = '某制药') and ypdm = :p group by kdys
-- @innocent drug use of a manufacturer's products by department
select ksdm, sum(sl) from mz_cfmx where ypdm in (select ypdm from gy_ypzd where sccj = '某制药') group by ksdm
-- @tongfang drug grouped per doctor through a view with Chinese names
select 医生编码, 药品编码, count(*) from v_处方统计 group by 医生编码, 药品编码
-- @innocent Chinese: per drug per month
select 药品编码, 月份, count(*) from v_处方统计 group by 药品编码, 月份
-- @tongfang MySQL variables as bind
SELECT doc_code, SUM(qty) FROM his_rx_item WHERE drug_code = @drug GROUP BY doc_code
-- @innocent MySQL: index statistics
SELECT table_name, index_name, SUM(stat_value) FROM mysql.innodb_index_stats GROUP BY table_name, index_name
-- @tongfang Postgres: ANY of an array of drugs, grouped by prescriber
SELECT prescriber_npi, count(*) FROM rx WHERE product_id = ANY(ARRAY['A','B']) GROUP BY prescriber_npi
-- @innocent Postgres: vacuum statistics
SELECT relname, n_dead_tup FROM pg_stat_user_tables ORDER BY n_dead_tup DESC LIMIT 20
-- @tongfang doctor grouped with drug fixed by a parenthesised equality
SELECT cfys, SUM(sl) FROM mz_cfmx WHERE (ypdm = 'Y1' OR ypdm = 'Y2') AND (kfrq >= '2026-01-01') GROUP BY cfys
-- @innocent dept grouped with doctor as a join key only
SELECT k.ksmc, COUNT(*) FROM mz_cfmx m JOIN gy_ygdm y ON y.ygdm = m.cfys JOIN gy_ksdm k ON k.ksdm = y.ksdm GROUP BY k.ksmc
-- @tongfang select into outfile (MySQL export)
SELECT kdys, ypmc, SUM(sl) FROM mz_cfmx GROUP BY kdys, ypmc INTO OUTFILE '/tmp/tf.csv'
-- @innocent MySQL: dump of the dictionary
SELECT * FROM gy_ypzd INTO OUTFILE '/tmp/ypzd.csv'
-- @tongfang Oracle long-name English, mixed case
Select Prescriber_Name, Drug_Generic_Name, Count(*) From Rx_Fact Group By Prescriber_Name, Drug_Generic_Name
-- @innocent English: drugs per therapeutic class
Select Atc_Class, Count(Distinct Drug_Id) From Drug_Master Group By Atc_Class
