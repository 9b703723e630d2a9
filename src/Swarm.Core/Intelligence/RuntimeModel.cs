namespace Swarm.Core.Intelligence;

/// <summary>
/// Predicts how long a task runs on a reference core, as a log-normal, from what a live director knows: the task's
/// category, its workflow, the submitter's estimate and every runtime committed so far. Deterministic and pure;
/// updated online with <see cref="Observe"/>.
/// <para>
/// Hierarchical rule (log seconds; every level is shrunk towards the one above it with a few pseudo-observations):
/// <code>
/// fleet        mu_g = mean of everything seen                      (nothing seen: the estimate, else 1 s)
/// application  mu_a = (n_a m_a + k mu_g) / (n_a + k)               (the category's part before its first '/')
/// prior        mu_p = log(estimate) when the submitter gave one, else mu_a
/// category     mu_c = (n_c m_c + k mu_p) / (n_c + k)               (other workflows' tasks of the category)
/// residual     r_c  = m_wc - mu_c                                     (each of w's other categories it has run)
/// offset       d_w  = sum_c v_c r_c / (1 / tau^2 + sum_c v_c),  v_c = 1 / (omega^2 + s_c^2 / n_wc)
/// workflow     mu   = (n_wc m_wc + k_loc (mu_c + d_w)) / (n_wc + k_loc)   (this workflow's own tasks of the category)
/// </code>
/// The offset carries what a workflow's other tasks revealed (recorded on slower machines, a larger input) to its
/// categories not yet seen, as a random effect: tau^2 (how much workflows of the application really differ) and
/// omega^2 (how much one category's surprise is noise for another) are measured on finished workflows
/// (<see cref="WorkflowEffects"/>, per application once three have finished, else over all), so an application
/// whose categories move together transfers much and one whose categories vary on their own transfers little. Spread: the most specific level with three or more observations, else
/// <see cref="RuntimeModelOptions.DefaultSigma"/>. Category and application statistics used for a workflow exclude
/// that workflow's own observations, so its evidence is never counted twice.
/// </para>
/// </summary>
public sealed class RuntimeModel
{
    private readonly RuntimeModelOptions _options;
    private readonly Dictionary<string, LogStats> _categories = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LogStats> _applications = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long N, double Sum)> _plainCategories = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long N, double Sum)> _plainApplications = new(StringComparer.Ordinal);
    private readonly Dictionary<string, WorkflowHistory> _workflows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, WorkflowEffects> _effects = new(StringComparer.Ordinal);
    private LogStats _all;
    private LogStats _declaredResiduals; // log(actual / declared) of uncategorised tasks with an estimate, every workflow
    private (long N, double Sum) _plainAll;

    /// <summary>Creates a model that starts from <paramref name="prior"/> (history from other workflows).</summary>
    public RuntimeModel(RuntimeModelOptions? options = null, RuntimePrior? prior = null)
    {
        _options = options ?? new RuntimeModelOptions();
        if (prior is not null)
        {
            foreach (var (c, s) in prior.Categories)
            {
                _categories[c] = s;
                _plainCategories[c] = (s.N, s.N * Math.Exp(s.Mean + (Sigma(s) * Sigma(s) / 2)));
            }

            foreach (var (a, s) in prior.Applications)
            {
                _applications[a] = s;
                _plainApplications[a] = (s.N, s.N * Math.Exp(s.Mean + (Sigma(s) * Sigma(s) / 2)));
            }

            foreach (var (a, e) in prior.WorkflowEffects)
            {
                _effects[a] = e;
            }

            _all = prior.All;
            _plainAll = (prior.All.N, prior.All.N > 0 ? prior.All.N * Math.Exp(prior.All.Mean + (Sigma(prior.All) * Sigma(prior.All) / 2)) : 0);
        }
    }

    /// <summary>The options in use.</summary>
    public RuntimeModelOptions Options => _options;

    /// <summary>Observations so far (prior included).</summary>
    public long Observations => _all.N;

    /// <summary>The application of a category: its part before the first '/' (empty when it has none).</summary>
    public static string ApplicationOf(string category)
    {
        ArgumentNullException.ThrowIfNull(category);
        var slash = category.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 ? category[..slash] : "";
    }

    /// <summary>Records that a task of <paramref name="category"/> in <paramref name="workflowId"/>, estimated by its
    /// submitter at <paramref name="declaredSeconds"/> (0: none), took <paramref name="referenceSeconds"/> on a reference
    /// core. Non-positive or non-finite runtimes are ignored.</summary>
    public void Observe(string workflowId, string category, double declaredSeconds, double referenceSeconds)
    {
        ArgumentNullException.ThrowIfNull(workflowId);
        ArgumentNullException.ThrowIfNull(category);
        if (!double.IsFinite(referenceSeconds) || referenceSeconds <= 0)
        {
            return;
        }

        var x = Math.Log(Math.Max(1e-3, referenceSeconds));
        var declared = double.IsFinite(declaredSeconds) && declaredSeconds > 0 ? declaredSeconds : 0;
        if (category.Length == 0 && declared > 0)
        {
            _declaredResiduals = _declaredResiduals.Add(x - Math.Log(declared));
        }
        var app = ApplicationOf(category);
        _all = _all.Add(x);
        _plainAll = (_plainAll.N + 1, _plainAll.Sum + referenceSeconds);
        if (category.Length > 0)
        {
            _categories[category] = _categories.GetValueOrDefault(category).Add(x);
            var p = _plainCategories.GetValueOrDefault(category);
            _plainCategories[category] = (p.N + 1, p.Sum + referenceSeconds);
        }

        if (app.Length > 0)
        {
            _applications[app] = _applications.GetValueOrDefault(app).Add(x);
            var p = _plainApplications.GetValueOrDefault(app);
            _plainApplications[app] = (p.N + 1, p.Sum + referenceSeconds);
        }

        if (!_workflows.TryGetValue(workflowId, out var w))
        {
            _workflows[workflowId] = w = new WorkflowHistory();
        }

        w.Add(category, app, x, declared > 0 && category.Length == 0 ? x - Math.Log(declared) : double.NaN);
    }

    /// <summary>The workflow ended: its own statistics go (what it taught the categories stays, and how far it was from
    /// them is added to the workflow effects).</summary>
    public void Forget(string workflowId)
    {
        ArgumentNullException.ThrowIfNull(workflowId);
        if (!_workflows.Remove(workflowId, out var w))
        {
            return;
        }

        var residuals = Residuals(w, except: null).ToList();
        foreach (var app in residuals.GroupBy(r => ApplicationOf(r.Category), StringComparer.Ordinal))
        {
            _effects[app.Key] = _effects.GetValueOrDefault(app.Key).Add([.. app.Select(r => r.Residual)]);
        }

        if (residuals.Count > 0)
        {
            _effects[""] = _effects.GetValueOrDefault("").Add([.. residuals.Select(r => r.Residual)]);
        }
    }

    /// <summary>How finished workflows of <paramref name="application"/> differed from their categories (over all
    /// applications until three of it have finished).</summary>
    public WorkflowEffects EffectsOf(string application)
    {
        ArgumentNullException.ThrowIfNull(application);
        return _effects.TryGetValue(application, out var e) && e.Measured ? e : _effects.GetValueOrDefault("");
    }

    /// <summary>The runtime on a reference core of a task of <paramref name="category"/> in <paramref name="workflowId"/>
    /// whose submitter estimated <paramref name="declaredSeconds"/> (0: no estimate).</summary>
    public RuntimePrediction Predict(string workflowId, string category, double declaredSeconds)
    {
        ArgumentNullException.ThrowIfNull(workflowId);
        ArgumentNullException.ThrowIfNull(category);
        var declared = double.IsFinite(declaredSeconds) && declaredSeconds > 0 ? declaredSeconds : 0;
        return _options.Kind == RuntimeModelKind.RunningMean ? RunningMean(category, declared) : Hierarchical(workflowId, category, declared);
    }

    /// <summary>What the model knows about categories and applications, for persistence or as another model's prior.</summary>
    public RuntimePrior Export() => new()
    {
        Categories = new Dictionary<string, LogStats>(_categories, StringComparer.Ordinal),
        Applications = new Dictionary<string, LogStats>(_applications, StringComparer.Ordinal),
        All = _all,
        WorkflowEffects = new Dictionary<string, WorkflowEffects>(_effects, StringComparer.Ordinal),
    };

    private RuntimePrediction Hierarchical(string workflowId, string category, double declared)
    {
        var k = _options.Shrinkage;
        var app = ApplicationOf(category);
        _workflows.TryGetValue(workflowId, out var w);
        if (category.Length == 0 && declared > 0)
        {
            // Uncategorised with an estimate: learn how far estimates are off (in this workflow, then anywhere), not an
            // absolute runtime that tasks declared to differ would share.
            var mine = w?.DeclaredResiduals ?? default;
            var elsewhere = _declaredResiduals.Minus(mine);
            var bias = Shrink(mine, Shrink(elsewhere, 0, k), _options.LocalShrinkage);
            var spread = mine.N >= 3 ? Sigma(mine) : elsewhere.N >= 3 ? Sigma(elsewhere) : _options.DefaultSigma;
            return Prediction(Math.Log(declared) + bias, spread, mine.N > 0 ? mine.N : elsewhere.N, mine.N > 0 ? "workflow" : elsewhere.N > 0 ? "fleet" : "declared");
        }

        var all = _all.Minus(w?.All ?? default);
        var apps = app.Length > 0 ? _applications.GetValueOrDefault(app).Minus(w?.Application(app) ?? default) : default;
        var cats = category.Length > 0 ? _categories.GetValueOrDefault(category).Minus(w?.Category(category) ?? default) : default;

        var muG = all.N > 0 ? all.Mean : declared > 0 ? Math.Log(declared) : 0;
        var muA = Shrink(apps, muG, k);
        var muP = declared > 0 ? Math.Log(declared) : muA;
        var muC = Shrink(cats, muP, k);
        var sigma = cats.N >= 3 ? Sigma(cats) : apps.N >= 3 ? Sigma(apps) : all.N >= 3 ? Sigma(all) : _options.DefaultSigma;
        var basis = cats.N > 0 ? "category" : declared > 0 ? "declared" : apps.N > 0 ? "application" : all.N > 0 ? "fleet" : "none";
        var evidence = cats.N > 0 ? cats.N : apps.N > 0 && declared <= 0 ? apps.N : all.N;
        if (w is null)
        {
            return Prediction(muC, sigma, evidence, basis);
        }

        var offset = Offset(w, category);
        var own = w.Category(category);
        var mu = Shrink(own, muC + offset, _options.LocalShrinkage);
        if (own.N >= 3)
        {
            sigma = Sigma(own);
        }

        return own.N > 0 ? Prediction(mu, sigma, own.N, "workflow") : Prediction(mu, sigma, evidence, basis);
    }

    /// <summary>How much longer (in log) this workflow's tasks of its other categories took than those categories predict
    /// elsewhere, as the posterior mean of a random workflow effect.</summary>
    private double Offset(WorkflowHistory w, string category)
    {
        var effects = EffectsOf(ApplicationOf(category));
        var omega = effects.Within;
        double weighted = 0, precision = 1 / effects.Between;
        foreach (var (_, r, n, spread) in Residuals(w, category))
        {
            var v = 1 / (omega + (spread * spread / n));
            weighted += v * r;
            precision += v;
        }

        return weighted / precision;
    }

    /// <summary>Per category <paramref name="w"/> ran (but <paramref name="except"/>): its mean log runtime less what
    /// the other workflows predict, how many it ran and their spread.</summary>
    private IEnumerable<(string Category, double Residual, long N, double Spread)> Residuals(WorkflowHistory w, string? except)
    {
        var all = _all.Minus(w.All);
        foreach (var (c, own) in w.Categories)
        {
            if (string.Equals(c, except, StringComparison.Ordinal) || c.Length == 0 || own.N == 0)
            {
                continue;
            }

            var app = ApplicationOf(c);
            var apps = app.Length > 0 ? _applications.GetValueOrDefault(app).Minus(w.Application(app)) : default;
            var cats = _categories.GetValueOrDefault(c).Minus(own);
            if (cats.N == 0 && apps.N == 0)
            {
                continue; // nothing elsewhere to compare with.
            }

            var muG = all.N > 0 ? all.Mean : 0;
            var expected = Shrink(cats, Shrink(apps, muG, _options.Shrinkage), _options.Shrinkage);
            var spread = own.N >= 3 ? Sigma(own) : cats.N >= 3 ? Sigma(cats) : _options.DefaultSigma;
            yield return (c, own.Mean - expected, own.N, spread);
        }
    }

    private RuntimePrediction RunningMean(string category, double declared)
    {
        var app = ApplicationOf(category);
        var (n, sum) = category.Length > 0 && _plainCategories.TryGetValue(category, out var c) && c.N > 0 ? c
            : app.Length > 0 && _plainApplications.TryGetValue(app, out var a) && a.N > 0 ? a
            : _plainAll;
        var mean = n > 0 ? sum / n : declared > 0 ? declared : 1;
        return Prediction(Math.Log(Math.Max(1e-3, mean)), _options.DefaultSigma, n, n > 0 ? "running mean" : declared > 0 ? "declared" : "none");
    }

    private RuntimePrediction Prediction(double mu, double sigma, long evidence, string basis)
    {
        var s = double.IsFinite(sigma) ? Math.Max(_options.MinSigma, sigma) : _options.DefaultSigma;
        var p50 = Math.Exp(Math.Clamp(mu, -7, 30));
        return new RuntimePrediction(p50, p50 * Math.Exp(RuntimePrediction.Z90 * s), evidence, basis);
    }

    private static double Shrink(LogStats s, double prior, double k) => s.N > 0 ? (s.Sum + (k * prior)) / (s.N + k) : prior;

    private static double Sigma(LogStats s) => s.N > 1 ? Math.Sqrt(s.Variance) : double.NaN;

    /// <summary>One workflow's own observations, per category and application.</summary>
    private sealed class WorkflowHistory
    {
        private readonly Dictionary<string, LogStats> _categories = new(StringComparer.Ordinal);
        private readonly Dictionary<string, LogStats> _applications = new(StringComparer.Ordinal);

        public LogStats All { get; private set; }

        public LogStats DeclaredResiduals { get; private set; }

        public IReadOnlyDictionary<string, LogStats> Categories => _categories;

        public LogStats Category(string category) => _categories.GetValueOrDefault(category);

        public LogStats Application(string application) => _applications.GetValueOrDefault(application);

        public void Add(string category, string application, double x, double declaredResidual)
        {
            All = All.Add(x);
            if (double.IsFinite(declaredResidual))
            {
                DeclaredResiduals = DeclaredResiduals.Add(declaredResidual);
            }

            _categories[category] = _categories.GetValueOrDefault(category).Add(x);
            if (application.Length > 0)
            {
                _applications[application] = _applications.GetValueOrDefault(application).Add(x);
            }
        }
    }
}
