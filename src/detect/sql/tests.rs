use super::*;
use crate::rules::model::TongfangParams;

fn analyser() -> Analyser {
    Analyser::new(&TongfangParams::default())
}

fn find(sql: &str) -> Option<Finding> {
    analyser().sql(sql, &Dictionary::default()).finding
}

#[test]
fn reads_the_shapes_of_a_tongfang_query() {
    let f = find("select a.ysdm, b.ypxh, sum(b.ypsl) from ms_cf01 a join ms_cf02 b on a.cfsb = b.cfsb group by 1, 2")
        .unwrap();
    assert_eq!((f.doctor.as_str(), f.drug.as_str(), f.reason.as_str()), ("a.ysdm", "b.ypxh", "group_by"));
    let f = find("select kdys_bm, count(*) from mz_cfmx where yp_bm = 'Y1' group by kdys_bm").unwrap();
    assert_eq!((f.reason.as_str(), f.drug.as_str()), ("group_by+where_fixed", "yp_bm"));
    let f = find("select ysdm, ypxh, sum(ypsl) over (partition by ysdm, ypxh) from ms_cf02").unwrap();
    assert_eq!(f.reason, "partition_by");
    let f = find("select m.f1, sum(m.f3) from t m join gy_ygdm d on d.ygdm = m.f1 where m.f2 in ('A','B') and m.f2 = :x group by m.f1");
    assert!(f.is_none(), "f2 means nothing: {f:?}");
    let f = find("select m.f1, m.f2, sum(m.f3) from t m join gy_ygdm y on y.ygdm = m.f1 join yk_typk p on p.ypxh = m.f2 group by m.f1, m.f2")
        .unwrap();
    assert_eq!((f.doctor_basis.as_str(), f.drug_basis.as_str()), ("join gy_ygdm", "join yk_typk"));
    let f = find("select a.c1 as ysxm, a.c2 as 药品名称, sum(a.c3) from t a group by a.c1, a.c2").unwrap();
    assert_eq!((f.doctor_basis.as_str(), f.drug_basis.as_str()), ("alias ysxm", "alias 药品名称"));
}

#[test]
fn innocent_shapes_stay_quiet() {
    for sql in [
        "select ksdm, ypxh, sum(ypsl) from ms_cf02 group by ksdm, ypxh",
        "select ysdm, count(*) from ms_cf01 group by ysdm",
        "select zzys, ypdm, sum(je) from t group by grouping sets ((zzys), (ypdm))",
        "select * from ms_cf02 where ysdm = 'D1' and ypxh = 'Y1'",
        "select count(*) from ms_cf02 /* group by ysdm, ypxh */",
        "select ysdm, sum(ypsl), sum(ypje) from ms_cf02 group by ysdm",
    ] {
        assert_eq!(find(sql), None, "{sql}");
    }
}

/// A site dictionary of `rows` (after the header), loaded without problems.
fn dict(dir: &std::path::Path, rows: &str) -> Dictionary {
    let path = dir.join("dictionary.csv");
    std::fs::write(&path, format!("table,column,meaning\n{rows}")).unwrap();
    let mut problems = Vec::new();
    let d = Dictionary::load(&path, &mut problems);
    assert!(problems.is_empty(), "{rows}: {problems:?}");
    d
}

#[test]
fn the_site_dictionary_names_its_own_columns() {
    let dir = tempfile::tempdir().unwrap();
    let d = dict(dir.path(), "t_rx,col_a,doctor\nt_rx,col_b,drug\n");
    let sql = "select x.col_a, x.col_b, sum(x.n) from his.t_rx x group by x.col_a, x.col_b";
    assert_eq!(analyser().sql(sql, &Dictionary::default()).finding, None);
    let f = analyser().sql(sql, &d).finding.unwrap();
    assert_eq!(f.doctor_basis, "dictionary t_rx.col_a");
    // A whole table the site declares is followed through a Caché reference into it.
    let d = dict(dir.path(), "hr_worker,*,doctor\n");
    let sql =
        "SELECT OEORD_Worker_DR, OEORI_ItmMast_DR, COUNT(*) FROM OE_OrdItem GROUP BY OEORD_Worker_DR, OEORI_ItmMast_DR";
    assert_eq!(analyser().sql(sql, &Dictionary::default()).finding, None);
    let f = analyser().sql(sql, &d).finding.unwrap();
    assert_eq!(f.doctor_basis, "reference into the worker table");
    // A generic last part claims nothing; a table of another meaning leaves the built-in
    // lists to decide.
    let d = dict(dir.path(), "hr_emp_info,*,doctor\nx_itmmast,*,other\n");
    let sql =
        "SELECT PAADM_Info_DR, OEORI_ItmMast_DR, COUNT(*) FROM OE_OrdItem GROUP BY PAADM_Info_DR, OEORI_ItmMast_DR";
    assert_eq!(analyser().sql(sql, &d).finding, None);
    let sql =
        "SELECT OEORI_ItmMast_DR, COUNT(*) FROM OE_OrdItem WHERE OEORI_Doctor_DR = 1187 GROUP BY OEORI_ItmMast_DR";
    assert!(analyser().sql(sql, &d).finding.is_some(), "itmmast stays a drug table");
}

#[test]
fn the_event_group_by_list_goes_through_the_same_names() {
    let a = analyser();
    let d = Dictionary::default();
    assert!(a.listed(&["doctor", "drug"], &d).is_some());
    assert!(a.listed(&["开单医生", "药品名称"], &d).is_some());
    assert!(a.listed(&["prescriber_id", "med_cd"], &d).is_some());
    assert!(a.listed(&["dept", "drug"], &d).is_none());
}

/// 1 MB of adversarial SQL: nested `group by (` subqueries, unclosed quotes and comments,
/// 100k parentheses. The work is bounded by the cap, whatever the text.
#[test]
fn adversarial_statements_cost_work_linear_in_the_cap() {
    let mut nested = String::new();
    while nested.len() < 1 << 20 {
        nested.push_str("select ysdm, ypxh from t group by (");
    }
    let parens = "(".repeat(100_000) + &")".repeat(100_000);
    let mut mixed = String::new();
    while mixed.len() < 1 << 20 {
        mixed.push_str(
            "select a.ysdm, count(*) from t a where x = 'it''s' group by a.ysdm, (select ypxh from u group by ",
        );
    }
    let unclosed = format!("select ysdm from t where a = '{}", "x".repeat(1 << 20));
    let comment = format!("select ysdm /* {}", "group by ysdm, ypxh ".repeat(50_000));
    let mut p = TongfangParams::default();
    for cap in [65_536, 1 << 20] {
        p.max_sql_bytes = cap;
        let a = Analyser::new(&p);
        for sql in [&nested, &parens, &mixed, &unclosed, &comment] {
            let t = std::time::Instant::now();
            let r = a.sql(sql, &Dictionary::default());
            assert!(r.scanned <= cap);
            assert!(r.steps <= 3 * r.scanned, "{} steps for {} bytes", r.steps, r.scanned);
            // Generous: the real figure is milliseconds; this only catches a quadratic walk.
            assert!(t.elapsed() < std::time::Duration::from_secs(20), "{:?}", t.elapsed());
        }
    }
}

#[test]
fn cache_paths_references_and_calls_around_operands() {
    // DHC (InterSystems Caché): `X_DR` points into the table its field names; a path is read
    // at its end unless the end only describes the record pointed to.
    let f = find(
        "SELECT OEORI_ItmMast_DR, COUNT(*) FROM OE_OrdItem WHERE OEORI_Doctor_DR = 1187 GROUP BY OEORI_ItmMast_DR",
    )
    .unwrap();
    assert_eq!(
        (f.drug_basis.as_str(), f.reason.as_str()),
        ("reference into the itmmast table", "group_by+where_fixed")
    );
    let f = find(
        "SELECT OEORI_Doctor_DR->CTPCP_Desc, COUNT(*) FROM OE_OrdItem \
         WHERE %SQLUPPER(OEORI_ItmMast_DR->ARCIM_Desc) [ %SQLUPPER('头孢') GROUP BY OEORI_Doctor_DR",
    );
    assert!(f.is_some(), "Caché's contains operator on the item's description fixes the drug");
    let f = find("SELECT OEORI_Doctor_DR, COUNT(*) FROM OE_OrdItem WHERE OEORI_ItmMast_DR->ARCIM_Desc [ '头孢' GROUP BY OEORI_Doctor_DR");
    assert!(f.is_some(), "and without the calls around it");
    assert_eq!(find("select ysdm, count(*) from cf where tags = ARRAY['a'] group by ysdm"), None);
    // The item's category is not the item.
    let sql =
        "SELECT OEORI_Doctor_DR, COUNT(*) FROM OE_OrdItem GROUP BY OEORI_Doctor_DR, OEORI_ItmMast_DR->ARCIM_ItemCat_DR";
    assert_eq!(find(sql), None);
    // 中联 (ZLHIS) parameters `[1]`, not bracketed names; a column inside a call is fixed.
    assert!(find("Select C.开单人, Count(*) From 住院费用记录 C Where C.药品id = [1] Group By C.开单人").is_some());
    assert!(find("select ysdm, count(*) from cf where upper(trim(ypmc)) = 'ABC' group by ysdm").is_some());
    assert!(find("select ysdm, count(*) from cf where upper(ksmc) = 'ABC' group by ysdm").is_none());
    // OpenMRS: the orderer of an order is its prescriber.
    assert!(find("SELECT o.orderer, d.drug_inventory_id, COUNT(*) FROM orders o JOIN drug_order d ON d.order_id = o.order_id GROUP BY o.orderer, d.drug_inventory_id WITH ROLLUP").is_some());
    // What a second read found firing on innocent SQL (stop 24), now quiet.
    for sql in [
        "SELECT OEORI_Doctor_DR, COUNT(*) FROM OE_OrdItem WHERE %SQLUPPER(OEORI_ItmMast_DR->ARCIM_ItemCat_DR->ARCIC_Desc) [ '抗菌' GROUP BY OEORI_Doctor_DR",
        "SELECT OEORI_Doctor_DR, COUNT(*) FROM OE_OrdItem WHERE '抗菌' = OEORI_ItmMast_DR->ARCIM_ItemCat_DR GROUP BY OEORI_Doctor_DR",
        "select ysdm, count(*) from cf where substr(ypdm, 1, 1) = '1' group by ysdm",
        "select ysdm, count(*) from cf where nvl(ypdm, 'x') = 'x' group by ysdm",
        "select ysdm, count(*) from cf group by ysdm having count(ypdm) = 1",
        "select doctor_id, count(*) from rx where drug_attrs['form'] = 'tablet' group by doctor_id",
        "select doctor_id, count(*) from rx where drug_tags[ 1 ] = 'x' group by doctor_id",
        "select ysdm, count(*) from cf where tags[1] = ypdm group by ysdm",
        "select sort_ordering, ypdm, count(*) from cf group by sort_ordering, ypdm",
    ] {
        assert_eq!(find(sql), None, "{sql}");
    }
}

#[test]
fn fee_items_restricted_to_drugs_are_drugs() {
    for sql in [
        "select d.doct_code, d.item_code, sum(d.qty) from fin_opb_feedetail d where d.drug_flag = '1' group by d.doct_code, d.item_code",
        "SELECT YSGH, FYXH, SUM(FYSL) FROM ZY_FYMX WHERE YPLX > 0 GROUP BY YSGH, FYXH",
        "select ysdm, xmdm, sum(je) from mz_fymx where ypbz <> 'N' group by ysdm, xmdm",
        "SELECT r.XM AS KDR, x.MC, SUM(t.SL) FROM T_FYMX t JOIN T_RY r ON r.ID = t.RYID JOIN T_XM x ON x.ID = t.XMID WHERE x.XMLB IN ('XY', 'ZCY') GROUP BY r.XM, x.MC",
        "select 开单医生, 收费项目, sum(数量) from 门诊费用明细 where 收费类别 = '西药' group by 开单医生, 收费项目",
        "select doctor_id, item_id, count(*) from charges where is_drug = 1 group by doctor_id, item_id",
        "select p.provider_name, m.material_name, sum(f.qty) from fact_rx f join dim_provider p on p.prov_key = f.prov_key join dim_material m on m.mat_key = f.mat_key where m.mat_type = 'DRUG' group by p.provider_name, m.material_name",
    ] {
        assert_drug_basis(sql, "item restricted to drugs by");
    }
}

/// `sql` is 统方 and its drug was read so.
fn assert_drug_basis(sql: &str, basis: &str) {
    let f = find(sql).unwrap_or_else(|| panic!("{sql}"));
    assert!(f.drug_basis.starts_with(basis), "{sql}: {f:?}");
}

#[test]
fn fee_items_of_other_classes_stay_items() {
    for sql in [
        "select d.doct_code, d.item_code, sum(d.qty) from fin_opb_feedetail d group by d.doct_code, d.item_code",
        "select d.doct_code, d.item_code, sum(d.qty) from fin_opb_feedetail d where d.drug_flag = '0' group by d.doct_code, d.item_code",
        "select d.doct_code, d.item_code, sum(d.qty) from fin_opb_feedetail d where d.drug_flag = :f group by d.doct_code, d.item_code",
        "select ysdm, xmdm, sum(je) from mz_fymx where xmlb in ('JC', 'HY') group by ysdm, xmdm",
        "select ysdm, xmdm, sum(je) from mz_fymx where xmlb in ('XY', 'JC') group by ysdm, xmdm",
        "select ksdm, xmdm, sum(je) from mz_fymx where ypbz = '1' group by ksdm, xmdm",
        "select ysdm, sum(je) from mz_fymx where ypbz = '1' group by ysdm",
        "select ysdm, fyxh, sum(je) from mz_fymx where yplx >= 0 group by ysdm, fyxh",
        // A drug-fee column, not a restriction; a marker in ON, negated, or one of an OR.
        "select ysdm, xmdm, sum(case when ypbz = '1' then je else 0 end) ypje, sum(je) from mz_fymx group by ysdm, xmdm",
        "select f.ysdm, f.xmdm, sum(f.je) from mz_fymx f left join gy_sfxm s on s.xmdm = f.xmdm and f.ypbz = '1' group by f.ysdm, f.xmdm",
        "select ysdm, xmdm, sum(je) from mz_fymx where ypbz = '1' or xmlb = 'ZL' group by ysdm, xmdm",
        "select ysdm, xmdm, sum(je) from mz_fymx where not (ypbz = '1') group by ysdm, xmdm",
        "select ysdm, xmdm, sum(je) from mz_fymx where not ypbz = '1' group by ysdm, xmdm",
        // Not drug classes; a list that is not all drug classes.
        "select ysdm, xmdm, sum(je) from mz_fymx where xmlb = '非药品' group by ysdm, xmdm",
        "select ysdm, xmdm, sum(je) from mz_fymx where 药品标志 = '非药品' group by ysdm, xmdm",
        "select ysdm, xmdm, sum(je) from mz_fymx where xmlb = '煎药费' group by ysdm, xmdm",
        "select ysdm, xmdm, sum(je) from mz_fymx where xmlb in ('XY', upper('jc')) group by ysdm, xmdm",
        // The marker marks another table's lines; a line serial and a name are not items.
        "select c.ysdm, j.xmdm, count(*) from mz_cfmx c join jc_sqd j on j.brid = c.brid where c.ypbz = '1' group by c.ysdm, j.xmdm",
        "select ysdm, fylsh, sum(je) from mz_fymx where ypbz = '1' group by ysdm, fylsh",
        "select f.ysdm, f.xm, sum(f.je) from fy_mzmx f where f.ypbz = '1' group by f.ysdm, f.xm",
        // Per-doctor drug totals with no drug: a marker is not a drug column.
        "select doctor_id, sum(amount) from charges where is_drug = 1 group by doctor_id",
        "select 开单医生, sum(金额) from 门诊费用 where 药品标志 = '1' group by 开单医生",
        "select 开单医生, sum(金额) from 门诊费用 where 是否药品 = N'否' group by 开单医生",
    ] {
        assert_eq!(find(sql), None, "{sql}");
    }
}

#[test]
fn a_subquery_in_where_can_fix_the_drug() {
    for sql in [
        "select o.order_doc, count(*) from inp_orders o where exists (select 1 from drug_dict dd where dd.drug_id = o.item_id and dd.generic_name = 'X') group by o.order_doc",
        "select o.order_doc, count(*) from inp_orders o where o.item_id in (select drug_id from drug_dict where generic_name = 'X') group by o.order_doc",
        "select o.order_doc, count(*) from inp_orders o where (exists (select 1 from drug_dict dd where dd.drug_id = o.item_id and dd.generic_name = 'X')) group by o.order_doc",
        "select o.order_doc, count(*) from inp_orders o where o.dt > :d and (o.item_id in (select drug_id from drug_dict where generic_name = 'X')) group by o.order_doc",
        "select o.order_doc, count(*) from inp_orders o where o.item_id = (select drug_id from drug_dict where generic_name = 'X') group by o.order_doc",
        "select o.order_doc, count(*) from inp_orders o where o.item_id = any (select drug_id from drug_dict where generic_name = 'X') group by o.order_doc",
    ] {
        assert_drug_basis(sql, "subquery fixes");
    }
    for sql in [
        "select o.order_doc, count(*) from inp_orders o where not exists (select 1 from drug_dict dd where dd.drug_id = o.item_id and dd.generic_name = 'X') group by o.order_doc",
        "select o.order_doc, count(*) from inp_orders o where o.item_id not in (select drug_id from drug_dict where generic_name = 'X') group by o.order_doc",
        "select o.order_doc, count(*) from inp_orders o where not o.item_id in (select drug_id from drug_dict where generic_name = 'X') group by o.order_doc",
        "select o.order_doc, count(*) from inp_orders o where not (exists (select 1 from drug_dict dd where dd.drug_id = o.item_id and dd.generic_name = 'X')) group by o.order_doc",
        "select o.order_doc, count(*) from inp_orders o where o.item_id <> (select drug_id from drug_dict where generic_name = 'X') group by o.order_doc",
        "select o.order_doc, count(*) from inp_orders o where (o.flag = 1 or o.item_id in (select drug_id from drug_dict where generic_name = 'X')) group by o.order_doc",
        "select o.order_doc, count(*) from inp_orders o where o.patient_id = (select patient_id from rx where drug_code = 'X' limit 1) group by o.order_doc",
        "select o.order_doc, count(*) from inp_orders o where o.status = 1 or exists (select 1 from drug_dict dd where dd.drug_id = o.item_id and dd.generic_name = 'X') group by o.order_doc",
        "select o.order_doc, count(*) from inp_orders o left join x on x.id = o.id and exists (select 1 from drug_dict dd where dd.drug_id = o.item_id and dd.generic_name = 'X') group by o.order_doc",
        "select o.order_doc, count(*) from inp_orders o where o.patient_id in (select patient_id from rx where drug_code = 'X') group by o.order_doc",
        "select o.order_doc, count(*) from inp_orders o where exists (select 1 from rx r where r.patient_id = o.patient_id and r.drug_code = 'X') group by o.order_doc",
        "select o.order_doc, count(*) from inp_orders o where exists (select 1 from drug_dict dd where dd.drug_id = o.item_id and dd.is_antibiotic = 1) group by o.order_doc",
        "select o.dept_code, count(*) from inp_orders o where exists (select 1 from drug_dict dd where dd.drug_id = o.item_id and dd.generic_name = 'X') group by o.dept_code",
    ] {
        assert_eq!(find(sql), None, "{sql}");
    }
}

#[test]
fn markers_written_other_ways_round() {
    for sql in [
        "select f.ysdm, f.fyxh, sum(f.je) from fy_mzmx f where 0 < f.yplx group by f.ysdm, f.fyxh",
        "select f.ysdm, f.fyxh, sum(f.je) from fy_mzmx f where nvl(f.ypbz, '0') = '1' group by f.ysdm, f.fyxh",
        "select f.ysdm, f.fyxh, sum(f.je) from fy_mzmx f where isnull(f.ypbz, 0) <> 0 group by f.ysdm, f.fyxh",
        "select c.doctor_id, c.item_code, sum(c.amount) from charges c where c.is_drug group by c.doctor_id, c.item_code",
        "select c.doctor_id, c.item_code, sum(c.amount) from charges c where c.dt >= :d and c.is_drug and c.amount > 0 group by c.doctor_id, c.item_code",
    ] {
        assert_drug_basis(sql, "item restricted to drugs by");
    }
    for sql in [
        // A null flag passes as a drug, so the lines are not drugs only.
        "select f.ysdm, f.fyxh, sum(f.je) from fy_mzmx f where nvl(f.ypbz, '1') = '1' group by f.ysdm, f.fyxh",
        "select f.ysdm, f.fyxh, sum(f.je) from fy_mzmx f where 1 < f.yplx_count group by f.ysdm, f.fyxh",
        "select f.ysdm, f.fyxh, sum(f.je) from fy_mzmx f where 0 > f.yplx group by f.ysdm, f.fyxh",
        "select c.doctor_id, c.item_code, sum(c.amount) from charges c where not c.is_drug group by c.doctor_id, c.item_code",
        "select c.doctor_id, c.item_code, sum(c.amount) from charges c where c.is_drug = 0 group by c.doctor_id, c.item_code",
        "select c.doctor_id, c.item_code, sum(c.amount) from charges c where c.is_drug or c.amount > 0 group by c.doctor_id, c.item_code",
        "select c.doctor_id, c.item_code, sum(c.amount) from charges c where c.is_drug is null group by c.doctor_id, c.item_code",
        "select c.doctor_id, c.item_code, sum(case when c.is_drug then c.amount end) from charges c group by c.doctor_id, c.item_code",
    ] {
        assert_eq!(find(sql), None, "{sql}");
    }
}

#[test]
fn a_table_joined_to_a_doctor_or_drug_stands_for_it() {
    // 达梦: one doctor fixed by name through the staff table joined to the prescriber.
    let f = find(r#"select p."药品名称", sum(d."数量") from "处方明细" d join "处方主表" h on h."处方号" = d."处方号" join "药品字典" p on p."药品编码" = d."药品编码" join "HR"."T_PERSON" s on s."编码" = h."开方医生编码" where s."姓名" = '王建国' group by p."药品名称""#).unwrap();
    assert_eq!((f.doctor.as_str(), f.doctor_basis.as_str()), ("s.姓名", "joined to h.开方医生编码"));
    // Caché: a drug fixed by a prefix of its description, per care provider.
    let f = find("select ci.CTPCP_Desc, sum(oi.OEORI_PhQtyOrd) from SQLUser.OE_OrdItem oi join SQLUser.ARC_ItmMast am on am.ARCIM_RowId = oi.OEORI_ItmMast_DR join SQLUser.CT_CareProv ci on ci.CTPCP_RowId1 = oi.OEORI_Doctor_DR where am.ARCIM_Desc %STARTSWITH '注射用头孢唑肟钠' group by ci.CTPCP_Desc").unwrap();
    assert_eq!(f.reason, "group_by+where_fixed");
    for sql in [
        // The staff table joined to the dispensing pharmacist, or to the department.
        r#"select p."药品名称", sum(d."数量") from "处方明细" d join "药品字典" p on p."药品编码" = d."药品编码" join "HR"."T_PERSON" s on s."编码" = d."发药人编码" where s."姓名" = '王建国' group by p."药品名称""#,
        r#"select p."药品名称", sum(d."数量") from "处方明细" d join "药品字典" p on p."药品编码" = d."药品编码" join "科室字典" s on s."编码" = d."科室编码" where s."名称" = '心内科' group by p."药品名称""#,
        // A fact table joined to the doctor by the doctor's own column is not a dictionary.
        "select r.code, sum(r.qty) from rx r join doctor_dict d on d.doctor_id = r.doctor_id where d.doctor_name = 'X' group by r.code",
        // A drug dictionary joined to a doctor column stays a drug dictionary.
        "select d.name, sum(r.qty) from rx r join drug_dict d on d.code = r.doctor_code group by d.name",
    ] {
        assert_eq!(find(sql), None, "{sql}");
    }
}

#[test]
fn a_marker_inside_the_cte_or_derived_table_an_item_comes_from() {
    for sql in [
        "with t as (select ysdm, fyxh, je from fy_mzmx where ypbz = '1') select ysdm, fyxh, sum(je) from t group by ysdm, fyxh",
        "with a as (select 1 x from dual), t as (select ysdm, fyxh, je from fy_mzmx where ypbz = '1') select t.ysdm, t.fyxh, sum(t.je) from t join a on a.x = 1 group by t.ysdm, t.fyxh",
        "select d.doctor_id, d.item_code, count(*) from (select doctor_id, item_code from charges where is_drug = 1) d group by d.doctor_id, d.item_code",
    ] {
        assert_drug_basis(sql, "item restricted to drugs by");
    }
    for sql in [
        "with t as (select ysdm, fyxh, je from fy_mzmx where ypbz = '0') select ysdm, fyxh, sum(je) from t group by ysdm, fyxh",
        "with t as (select ysdm, fyxh, je from fy_mzmx where ypbz = '1' or je > 0) select ysdm, fyxh, sum(je) from t group by ysdm, fyxh",
        "with t as (select ysdm from fy_mzmx where ypbz = '1') select t.ysdm, x.fyxh, sum(x.je) from t join zy_fymx x on x.ysdm = t.ysdm group by t.ysdm, x.fyxh",
        "with t as (select ysdm, fyxh, je from fy_mzmx) select ysdm, fyxh, sum(je) from t where fyxh in (select fyxh from fy_mzmx where ypbz = '1' and 1 = 0) group by ysdm, fyxh",
        // A second read: the marker of a join's other table, of one UNION branch, of a
        // derived table with no alias, or of a CTE in another statement.
        "with t as (select c.ysdm, j.xmdm from mz_cfmx c join jc_sqd j on j.brid = c.brid where c.ypbz = '1') select ysdm, xmdm, count(*) from t group by ysdm, xmdm",
        "with t as (select ysdm, xmdm, je from mz_fymx where ypbz = '1' union all select ysdm, xmdm, je from zl_fymx) select ysdm, xmdm, sum(je) from t group by ysdm, xmdm",
        "select f.ysdm, f.xmdm, sum(f.je) from mz_fymx f join (select distinct brid from mz_cfmx where ypbz = '1') on brid = f.brid group by f.ysdm, f.xmdm",
        "with fy as (select ksdm, xmdm, je from mz_fymx where ypbz = '1') select ksdm, xmdm, sum(je) from fy group by ksdm, xmdm; select ysdm, xmdm, sum(je) from fy group by ysdm, xmdm",
    ] {
        assert_eq!(find(sql), None, "{sql}");
    }
}

#[test]
fn joined_dictionaries_a_second_reader_tried() {
    for sql in [
        // A fact table joined to a dictionary by an item's or a user's code stays a fact table.
        "select r.doctor_id, r.rx_no, sum(r.amount) from fee_detail r join drug_dict d on d.drug_code = r.item_code group by r.doctor_id, r.rx_no",
        "select d.开单医生, d.处方序号, sum(d.金额) from 费用明细 d join 药品字典 p on p.药品编码 = d.项目编码 group by d.开单医生, d.处方序号",
        "select o.item_code, o.drug_code, sum(o.qty) from orders o join doctor_dict d on d.doctor_code = o.user_code group by o.item_code, o.drug_code",
        // A staff table joined to the pharmacist or a nurse is not the prescriber.
        "select s.姓名, p.药品名称, sum(d.数量) from 发药明细 d join 药品字典 p on p.药品编码 = d.药品编码 join 职工表 s on s.编码 = d.发药人编码 group by s.姓名, p.药品名称",
        "select s.姓名, p.药品名称, sum(d.数量) from 发药明细 d join 药品字典 p on p.药品编码 = d.药品编码 join 人员表 s on s.编码 = d.护士编码 group by s.姓名, p.药品名称",
        // A drug dictionary's attributes are not the drug.
        "select r.doctor_code, p.厂家名称, count(*) from rx r join 药品字典 p on p.药品编码 = r.药品编码 group by r.doctor_code, p.厂家名称",
        "select r.doctor_code, p.用法名称, count(*) from rx r join 药品字典 p on p.药品编码 = r.药品编码 group by r.doctor_code, p.用法名称",
        // A company joined to a provider column is not a doctor.
        "select c.name, d.drug_name, sum(s.qty) from sales s join company c on c.id = s.provider_id join drug d on d.id = s.drug_id group by c.name, d.drug_name",
        // Negated markers.
        "select c.ysdm, c.fyxh, sum(c.je) from fy_mzmx c where not (0 < c.yplx) group by c.ysdm, c.fyxh",
        "select c.ysdm, c.fyxh, sum(c.je) from fy_mzmx c where not 0 < c.yplx group by c.ysdm, c.fyxh",
        "select c.ysdm, c.fyxh, sum(c.je) from fy_mzmx c where not nvl(c.ypbz, '0') = '1' group by c.ysdm, c.fyxh",
        "select c.ysdm, c.fyxh, sum(c.je) from fy_mzmx c where not (nvl(c.ypbz, '0') = '1') group by c.ysdm, c.fyxh",
    ] {
        assert_eq!(find(sql), None, "{sql}");
    }
}

#[test]
fn a_subquery_in_where_can_fix_the_doctor() {
    for sql in [
        "select o.drug_code, sum(o.qty) from rx o where exists (select 1 from hr_person s where s.code = o.doctor_code and s.name = 'X') group by o.drug_code",
        "select o.drug_code, sum(o.qty) from rx o where o.doctor_code in (select s.emp_code from hr_employee s where s.emp_name = 'X') group by o.drug_code",
        "select o.drug_code, sum(o.qty) from rx o where o.doctor_code in (select doctor_id from doctor_dict where doctor_name = 'X') group by o.drug_code",
        "select o.drug_code, sum(o.qty) from rx o where o.doctor_code in (select code from hr_person where name = 'X') group by o.drug_code",
        "select o.drug_code, sum(o.qty) from rx o where o.doctor_code = (select s.code from hr_person s where s.name = 'X') group by o.drug_code",
    ] {
        let f = find(sql).unwrap_or_else(|| panic!("{sql}"));
        assert!(f.doctor_basis.starts_with("subquery fixes"), "{sql}: {f:?}");
    }
    for sql in [
        // Doctors of a department, of a title, or not the one named: no one doctor.
        "select o.drug_code, sum(o.qty) from rx o where o.doctor_code in (select s.code from hr_person s where s.dept_code = 'X') group by o.drug_code",
        "select o.drug_code, sum(o.qty) from rx o where exists (select 1 from hr_person s where s.code = o.doctor_code and s.title = '主任医师') group by o.drug_code",
        "select o.drug_code, sum(o.qty) from rx o where not exists (select 1 from hr_person s where s.code = o.doctor_code and s.name = 'X') group by o.drug_code",
        // The pharmacist who dispensed, not the prescriber.
        "select o.drug_code, sum(o.qty) from rx o where exists (select 1 from hr_person s where s.code = o.pharmacist_code and s.name = 'X') group by o.drug_code",
        "select o.drug_code, sum(o.qty) from rx o where o.pharmacist_code in (select code from hr_person where name = 'X') group by o.drug_code",
        "select o.drug_code, sum(o.qty) from rx o where o.patient_id in (select id from person where name = 'X') group by o.drug_code",
        "select o.drug_code, sum(o.qty) from rx o where o.doctor_code in (select code from hr_person where dept = 'X') group by o.drug_code",
        "select o.drug_code, sum(o.qty) from mz_sfmx o where o.czy in (select s.emp_code from hr_employee s where s.emp_name = 'X') group by o.drug_code",
        "select o.drug_code, sum(o.qty) from rx o where exists (select 1 from hr_employee s where s.emp_code = o.pharmacist_code and s.emp_name = 'X') group by o.drug_code",
        "select o.drug_code, sum(o.qty) from rx o where o.doctor_code in (select s.code from staff s where s.name = 'X' or s.dept_code = 'D1') group by o.drug_code",
        // Per-department drug totals of one doctor's patients.
        "select o.drug_code, sum(o.qty) from rx o where o.patient_id in (select patient_id from visits where doctor_code = 'X') group by o.drug_code",
    ] {
        assert_eq!(find(sql), None, "{sql}");
    }
}

#[test]
fn a_table_joined_by_its_own_key_stands_for_the_doctor_or_drug() {
    for (sql, basis) in [
        // Primary keys named after their table: `user_id` of `sys_user`, `UserID` of `Users`,
        // `rybm` of `gy_rybm` (a dictionary named after its code).
        ("select u.user_name, o.drug_code, sum(o.qty) from orders o join sys_user u on u.user_id = o.doctor_id group by u.user_name, o.drug_code", "joined to o.doctor_id"),
        ("select u.FullName, o.DrugCode, sum(o.Qty) from dbo.Orders o join dbo.Users u on u.UserID = o.PrescriberID group by u.FullName, o.DrugCode", "joined to o.PrescriberID"),
        ("select r.xm, m.ypdm, sum(m.sl) from mz_cfmx m join gy_rybm r on r.rybm = m.ysgh group by r.xm, m.ypdm", "joined to m.ysgh"),
    ] {
        let f = find(sql).unwrap_or_else(|| panic!("{sql}"));
        assert_eq!(f.doctor_basis, basis, "{sql}");
    }
    for sql in [
        // The same tables joined to the dispenser or the department, or the key not the
        // table's own (`dept_id` of `sys_user`).
        "select u.user_name, o.drug_code, sum(o.qty) from orders o join sys_user u on u.user_id = o.dispenser_id group by u.user_name, o.drug_code",
        "select u.user_name, o.drug_code, sum(o.qty) from orders o join sys_user u on u.dept_id = o.doctor_id group by u.user_name, o.drug_code",
        "select r.xm, m.ypdm, sum(m.sl) from mz_cfmx m join gy_rybm r on r.rybm = m.fyr group by r.xm, m.ypdm",
        // A second read: what the linked record holds besides its name is not the doctor
        // (`OrgCode`, `RoleName`, a log table's `term_no`).
        "select u.OrgCode, o.DrugCode, sum(o.Qty) from dbo.Orders o join dbo.Users u on u.UserID = o.PrescriberID group by u.OrgCode, o.DrugCode",
        "select u.RoleName, o.DrugCode, sum(o.Qty) from dbo.Orders o join dbo.Users u on u.UserID = o.PrescriberID group by u.RoleName, o.DrugCode",
        "select u.term_no, o.drug_code, count(*) from orders o join rx_user u on u.user_id = o.doctor_id group by u.term_no, o.drug_code",
        // Kept to cashiers, a table joined to the prescriber is not the prescriber.
        "select u.user_name, o.drug_code, sum(o.qty) from orders o join sys_user u on u.user_id = o.doctor_id and u.role = 'cashier' group by u.user_name, o.drug_code",
    ] {
        assert_eq!(find(sql), None, "{sql}");
    }
    assert!(vocab::own_key("his.sys_user", "user_id") && vocab::own_key("drug_item", "drug_item_id"));
    assert!(
        !vocab::own_key("rx", "doctor_id")
            && !vocab::own_key("doctor_dict", "doctor_id")
            && !vocab::own_key("rybm", "rybm")
    );
}

#[test]
fn an_inner_joins_on_keeps_rows_as_where_does() {
    // A drug flag in the ON of an inner join marks the joined items as drugs.
    assert_drug_basis(
        "select f.doctor_code, i.item_name, sum(f.amount) from fee_detail f join charge_item i on i.item_code = f.item_code and i.is_drug = 1 group by f.doctor_code, i.item_name",
        "item restricted to drugs by i.is_drug",
    );
    for sql in [
        // An outer join's ON keeps every fee line; an OR keeps others; a false flag.
        "select f.doctor_code, i.item_name, sum(f.amount) from fee_detail f left join charge_item i on i.item_code = f.item_code and i.is_drug = 1 group by f.doctor_code, i.item_name",
        "select f.doctor_code, i.item_name, sum(f.amount) from fee_detail f left outer join charge_item i on i.item_code = f.item_code and i.is_drug = 1 group by f.doctor_code, i.item_name",
        "select f.doctor_code, i.item_name, sum(f.amount) from fee_detail f join charge_item i on i.item_code = f.item_code and (i.is_drug = 1 or f.amount > 0) group by f.doctor_code, i.item_name",
        "select f.doctor_code, i.item_name, sum(f.amount) from fee_detail f join charge_item i on i.item_code = f.item_code and i.is_drug = 0 group by f.doctor_code, i.item_name",
        // A second read: outer joins written with hints or as anti joins, and a flag inside CASE.
        "select f.doctor_code, i.item_name, sum(f.amount) from fee_detail f left anti join charge_item i on i.item_code = f.item_code and i.is_drug = 1 group by f.doctor_code, i.item_name",
        "select f.doctor_code, i.item_name, sum(f.amount) from fee_detail f left hash join charge_item i on i.item_code = f.item_code and i.is_drug = 1 group by f.doctor_code, i.item_name",
        "select f.doctor_code, i.item_name, sum(f.amount) from fee_detail f left outer merge join charge_item i on i.item_code = f.item_code and i.is_drug = 1 group by f.doctor_code, i.item_name",
        "select f.doctor_code, i.item_name, sum(f.amount) from fee_detail f join charge_item i on i.item_code = f.item_code where case when i.is_drug = 1 then 0 else 1 end = 1 group by f.doctor_code, i.item_name",
    ] {
        assert_eq!(find(sql), None, "{sql}");
    }
    // An OR in one inner join's ON cancels that ON's conditions, not the WHERE's marker.
    assert_drug_basis(
        "select f.doctor_code, i.item_name, sum(f.amount) from fee_detail f join charge_item i on (i.item_code = f.item_code or i.old_code = f.item_code) where i.is_drug = 1 group by f.doctor_code, i.item_name",
        "item restricted to drugs by i.is_drug",
    );
    // A left semi join keeps the matching rows, as an inner join does.
    assert_drug_basis(
        "select f.doctor_code, f.item_name, sum(f.amount) from fee_detail f left semi join charge_item i on i.item_code = f.item_code and f.is_drug = 1 group by f.doctor_code, f.item_name",
        "item restricted to drugs by f.is_drug",
    );
}

#[test]
fn staff_kept_to_one_post_are_or_are_not_the_prescribers() {
    let f = find("select s.xm, m.ypdm, sum(m.sl) from mz_cfmx m, gy_zgxx s where s.zgid = m.czgh and s.zc in ('主治医师', '主任医师') group by s.xm, m.ypdm").unwrap();
    assert_eq!(f.doctor_basis, "staff restricted to doctors by s.zc");
    let f = find("select s.xm, m.ypdm, sum(m.sl) from mz_cfmx m join gy_zgxx s on s.zgid = m.czgh and s.gwlb = N'医师' group by s.xm, m.ypdm").unwrap();
    assert_eq!(f.doctor_basis, "staff restricted to doctors by s.gwlb");
    for sql in [
        // Pharmacists are not prescribers, even in a table named like the doctors' own.
        "select e.emp_name, i.drug_name, sum(d.num) from t_rx_item d join hr_employee e on e.emp_id = d.emp_id and e.post_type = '药师' join drug_dict i on i.drug_id = d.drug_id group by e.emp_name, i.drug_name",
        // Doctors and pharmacists together, an OR, a title that is no post, no drug.
        "select s.xm, m.ypdm, sum(m.sl) from mz_cfmx m, gy_zgxx s where s.zgid = m.czgh and s.zc in ('医师', '药师') group by s.xm, m.ypdm",
        "select s.xm, m.ypdm, sum(m.sl) from mz_cfmx m, gy_zgxx s where s.zgid = m.czgh and (s.zc = '医师' or m.sl > 0) group by s.xm, m.ypdm",
        "select s.xm, m.ypdm, sum(m.sl) from mz_cfmx m, gy_zgxx s where s.zgid = m.czgh and s.zc = '高级' group by s.xm, m.ypdm",
        "select s.xm, count(*) from mz_cfmx m, gy_zgxx s where s.zgid = m.czgh and s.zc = '医师' group by s.xm",
        // A second read: a post word on what is no staff category or no staff table (a
        // member's occupation, a patient's 职业, a fact table's column), staff found as
        // patients by their identity card, a post test inside CASE.
        "select m.name, c.drug_code, sum(c.qty) from claims c join members m on m.member_id = c.member_id where m.occupation = 'physician' group by m.name, c.drug_code",
        "select 姓名, 药品名称, sum(数量) from 住院用药明细 where 职业 = '医生' group by 姓名, 药品名称",
        "select o.bed_no, o.drug_code, sum(o.qty) from orders o where o.source_type = 'doctor' group by o.bed_no, o.drug_code",
        "select s.xm, m.ypdm, sum(m.sl) from mz_cfmx m join gy_zgxx s on s.sfzh = m.brsfzh where s.zc = '医师' group by s.xm, m.ypdm",
        "select s.xm, m.ypdm, sum(m.sl) from mz_cfmx m, gy_zgxx s where s.zgid = m.czgh and case when s.zc = '医师' then 1 else 0 end = 0 group by s.xm, m.ypdm",
    ] {
        assert_eq!(find(sql), None, "{sql}");
    }
}

#[test]
fn a_drug_table_names_its_drug_in_chinese() {
    let f = find("select 明细.医生编码, 药品.中文名称, sum(明细.数量) from 处方明细 明细 join 药品 on 药品.编码 = 明细.药品编码 group by 明细.医生编码, 药品.中文名称").unwrap();
    assert_eq!(f.drug_basis, "table 药品");
    assert_eq!(find("select 明细.科室编码, 药品.中文名称, sum(明细.数量) from 处方明细 明细 join 药品 on 药品.编码 = 明细.药品编码 group by 明细.科室编码, 药品.中文名称"), None);
}
