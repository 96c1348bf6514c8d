"""The bench surface: the profile form and the home page, and signup / login / hash parameters for the runner."""
import json
import sys

import django
from django.conf import settings
from django.contrib.auth import authenticate, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import get_hasher
from django.contrib.auth.models import User
from django.db import IntegrityError
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST, require_safe

# Each page: its literal parts, and between parts[i] and parts[i + 1] the named value, escaped.
PAGES = json.loads(settings.PAGES.read_text(encoding='utf-8'))
HTML = 'text/html; charset=utf-8'


def page(name, values):
    spec = PAGES[name]
    parts = spec['parts']
    out = [parts[0]]
    for slot, part in zip(spec['slots'], parts[1:]):
        out.append(escape(values[slot]))
        out.append(part)
    return HttpResponse(''.join(out), content_type=HTML)


@require_safe
def home(request):
    user = request.user
    if user.is_authenticated:
        return page('home', {'username': user.username})
    return page('anonymousHome', {})


@require_safe
@login_required
def profile(request):
    user = request.user
    return page('profile', {'username': user.username, 'email': user.email, 'first_name': user.first_name, 'last_name': user.last_name})


@csrf_exempt
@require_POST
def signup(request):
    username = request.POST.get('username', '')
    password = request.POST.get('password', '')
    if not username or not password:
        return HttpResponse('username and password are required', status=400)
    try:
        User.objects.create_user(username, email='%s@bench.example' % username, password=password)
    except IntegrityError:
        return HttpResponse('taken', status=409)
    return HttpResponse('created', status=201)


@csrf_exempt
@require_POST
def login_view(request):
    user = authenticate(request, username=request.POST.get('username', ''), password=request.POST.get('password', ''))
    if user is None:
        return HttpResponse('invalid', status=401)
    login(request, user)
    return HttpResponse('logged in')


@require_GET
def hash_params(request):
    hasher = get_hasher('default')
    salt_entropy = getattr(hasher, 'salt_entropy', None)
    return JsonResponse({
        'algorithm': 'pbkdf2',
        'name': hasher.algorithm,
        'digest': hasher.digest().name,
        'iterations': hasher.iterations,
        'saltBits': salt_entropy,
        'implementation': 'hashlib.pbkdf2_hmac (Django %s)' % django.get_version(),
    })


@require_GET
def versions(request):
    import gunicorn

    return JsonResponse({'django': django.get_version(), 'gunicorn': gunicorn.__version__, 'python': sys.version.split()[0]})
