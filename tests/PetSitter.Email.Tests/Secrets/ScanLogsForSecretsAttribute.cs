using System.Reflection;
using Xunit.Sdk;

[assembly: PetSitter.Email.Tests.Secrets.ScanLogsForSecrets]

namespace PetSitter.Email.Tests.Secrets;

/// <summary>
/// Applied to the whole assembly: opens a log capture before each test and, after it, fails the test if
/// anything it logged carried a registered secret. The failure names the logger category, the part of the
/// entry and the secret's name; the secret itself is never printed.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false)]
internal sealed class ScanLogsForSecretsAttribute : BeforeAfterTestAttribute
{
    public override void Before(MethodInfo methodUnderTest) => CapturedLogs.Begin();

    public override void After(MethodInfo methodUnderTest)
    {
        var capture = CapturedLogs.Current;
        CapturedLogs.End();
        var findings = (capture?.Findings ?? []).Concat(CapturedLogs.TakeUnattributed().Select(f => f with { Part = $"{f.Part} (logged outside any test's flow)" }))
            .Distinct()
            .ToList();
        if (findings.Count > 0)
        {
            throw new SecretLeakedException(
                $"{methodUnderTest.DeclaringType?.Name}.{methodUnderTest.Name} logged a secret:{Environment.NewLine}  "
                + string.Join(Environment.NewLine + "  ", findings));
        }
    }
}
