"""Every registered check names the unit of its headline quantity (asv labels its accuracy track with it)."""

from verification.records import load_all


def test_every_check_states_the_unit_of_its_headline():
    missing = sorted(cid for cid, c in load_all().items() if not c.unit.strip())
    assert not missing, f"checks without unit= in their @check: {missing}"


def test_fitted_order_headlines_say_so():
    checks = load_all()
    for cid in ("rt1d.fpe_limit", "sipf.dt_order", "radial3d.type_one_rate", "mips.coarsening", "sipf.particle_order"):
        assert checks[cid].unit == "order (fitted exponent)", cid
